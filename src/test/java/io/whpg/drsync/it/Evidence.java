package io.whpg.drsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestException;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.SegmentPoint;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The guarantees, checked from what is on disk alone (state, receipts, manifests, archive, pg_controldata,
 * server logs), independently of the tool's own verdicts. Each method returns the violations it found.
 */
final class Evidence {
    private static final Pattern TOOL_LOG = Pattern.compile("whpg_dr_sync-(.+)-([0-9]+)\\.log");
    private static final Pattern STOP = Pattern.compile("recovery stopping before WAL location \\(LSN\\) \"([0-9A-Fa-f]+/[0-9A-Fa-f]+)\"");
    /** A restore point ending on a WAL page boundary: the stop line names the next record, past the page header. */
    private static final long LONGEST_PAGE_HEADER = 40;

    private Evidence() {
    }

    static ManifestStore manifests(DrSyncConfig cfg) {
        return new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
    }

    /**
     * The state names a point only while every instance is parked there: not running, shut down in recovery,
     * not past the point, and its newest start by the tool was towards that point and logged the exact stop.
     */
    static List<String> stateHonesty(DrSyncConfig cfg, Sandbox sb) throws IOException {
        List<String> problems = new ArrayList<>();
        Optional<String> current = new StateStore(cfg.dr().stateDir()).current();
        if (current.isEmpty()) {
            return problems;
        }
        Manifest m;
        try {
            m = manifests(cfg).read(current.get());
        } catch (ManifestException e) {
            return List.of("state names " + current.get() + " but its manifest is unusable: " + e.getMessage());
        }
        for (SandboxInstance i : sb.drCopies()) {
            parkedAt(sb, i, m.restorePoint(), m.segment(i.contentId()).orElseThrow()).ifPresent(p -> problems.add("state names "
                    + current.get() + " but " + p));
        }
        return problems;
    }

    /** Why instance {@code i} is not parked exactly at restore point {@code name} ({@code target}), or empty when it is. */
    static Optional<String> parkedAt(Sandbox sb, SandboxInstance i, String name, SegmentPoint target) throws IOException {
        String who = "instance " + i.contentId();
        if (Files.exists(i.dataDir().resolve("postmaster.pid"))) {
            return Optional.of(who + " is running");
        }
        if (!Files.exists(i.dataDir().resolve("standby.signal")) || Files.exists(i.dataDir().resolve("recovery.signal"))) {
            return Optional.of(who + " lost standby.signal or gained recovery.signal");
        }
        Path conf = i.dataDir().resolve("whpg_dr_sync.recovery.conf");
        if (Files.exists(conf) && !Files.readString(conf).contains("recovery_target_action = 'shutdown'\n")) {
            return Optional.of(who + ": its recovery file does not end recovery by shutting down");
        }
        ControlData cd = ItSupport.controlData(sb, i.dataDir());
        if (!cd.isShutDownInRecovery()) {
            return Optional.of(who + " is '" + cd.clusterState() + "'");
        }
        if (cd.minRecoveryEnd().isAfter(target.restoreLsn())) {
            return Optional.of(who + " is past the point: minimum recovery end " + cd.minRecoveryEnd());
        }
        Optional<Path> log = newestToolLog(i.dataDir());
        if (log.isEmpty()) {
            return Optional.of(who + " was never started by the tool");
        }
        Matcher logName = TOOL_LOG.matcher(log.get().getFileName().toString());
        if (!logName.matches() || !logName.group(1).equals(name)) {
            return Optional.of(who + ": its newest start was towards another point (" + log.get().getFileName() + ")");
        }
        Lsn stop = null;
        for (String line : Files.readAllLines(log.get())) {
            Matcher m = STOP.matcher(line);
            if (m.find()) {
                stop = Lsn.parse(m.group(1));
            }
        }
        if (stop == null || stop.isBefore(target.restoreLsn()) || stop.isAfter(target.restoreLsn().plus(LONGEST_PAGE_HEADER))) {
            return Optional.of(who + ": " + log.get().getFileName() + " shows no stop at " + target.restoreLsn()
                    + (stop == null ? "" : " (stopped before " + stop + ")"));
        }
        return Optional.empty();
    }

    /** Every instance parked exactly at restore point {@code name}, or the reasons they are not. */
    static List<String> parkedAt(Sandbox sb, String name, DrSyncConfig cfg) throws IOException {
        Manifest m;
        try {
            m = manifests(cfg).read(name);
        } catch (ManifestException e) {
            return List.of(e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        for (SandboxInstance i : sb.drCopies()) {
            parkedAt(sb, i, name, m.segment(i.contentId()).orElseThrow()).ifPresent(problems::add);
        }
        return problems;
    }

    static Optional<Path> newestToolLog(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("log");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> TOOL_LOG.matcher(p.getFileName().toString()).matches())
                    .max(Comparator.comparingLong(p -> {
                        Matcher m = TOOL_LOG.matcher(p.getFileName().toString());
                        m.matches();
                        return Long.parseLong(m.group(2));
                    }));
        }
    }

    /** If the state moved away from {@code before}, a receipt of a verified advancement to the new point exists. */
    static List<String> advanceEvidence(DrSyncConfig cfg, Optional<String> before) throws IOException {
        Optional<String> now = new StateStore(cfg.dr().stateDir()).current();
        if (now.isEmpty() || now.equals(before)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cfg.dr().receiptsDir())) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(now.get() + ".")
                    && p.getFileName().toString().endsWith(".receipt.json")).toList()) {
                JsonNode r = Json.MAPPER.readTree(p.toFile());
                if (r.path("advanced").asBoolean() && "reached_then_shutdown".equals(r.path("status").asText())
                        && now.get().equals(r.path("target_restore_point").asText())) {
                    return List.of();
                }
            }
        }
        return List.of("state advanced from " + before.orElse("(none)") + " to " + now.get() + " without a receipt proving it");
    }

    /**
     * The publisher's promises: every manifest on disk is whole, every READY one has every WAL file it lists
     * as needed complete in the archive, and LATEST.json names a manifest that exists (READY only if it is).
     */
    static List<String> publisherEvidence(DrSyncConfig cfg) throws IOException {
        List<String> problems = new ArrayList<>();
        ManifestStore store = manifests(cfg);
        for (ManifestStore.Entry entry : store.readNewestFirst()) {
            if (entry.manifest().isEmpty()) {
                problems.add("manifest not whole: " + entry.problem());
                continue;
            }
            Manifest m = entry.manifest().get();
            if (!m.ready()) {
                continue;
            }
            for (SegmentPoint s : m.segments()) {
                JsonNode needed = m.evidence().path("instances").path(String.valueOf(s.gpSegmentId())).path("wal_files_needed");
                if (!needed.isArray() || needed.isEmpty()) {
                    problems.add(m.restorePoint() + " is READY without the list of WAL files instance " + s.gpSegmentId() + " needs");
                }
                for (JsonNode f : needed) {
                    Path archived = cfg.archive().dirFor(s.gpSegmentId()).resolve(f.asText());
                    if (!Files.isRegularFile(archived) || Files.size(archived) != m.walSegmentSize()) {
                        problems.add(m.restorePoint() + " is READY but " + archived + " is not archived whole");
                    }
                }
            }
        }
        Optional<com.fasterxml.jackson.databind.node.ObjectNode> latest;
        try {
            latest = store.latest();
        } catch (IOException e) {
            return append(problems, "LATEST.json is not whole: " + e.getMessage());
        }
        if (latest.isPresent()) {
            String name = latest.get().path("restore_point").asText();
            try {
                Manifest m = store.read(name);
                if (latest.get().path("ready").asBoolean() && !m.ready()) {
                    problems.add("LATEST.json says " + name + " is READY but its manifest is not");
                }
            } catch (ManifestException | IllegalArgumentException e) {
                problems.add("LATEST.json names a missing or broken manifest: " + e.getMessage());
            }
        }
        return problems;
    }

    private static List<String> append(List<String> list, String item) {
        list.add(item);
        return list;
    }
}
