package io.whpg.drsync.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.dr.ConsumeCycle;
import io.whpg.drsync.dr.Floor;
import io.whpg.drsync.dr.Floors;
import io.whpg.drsync.dr.HostCall;
import io.whpg.drsync.dr.WalStaging;
import io.whpg.drsync.dr.HostReply;
import io.whpg.drsync.dr.InstanceProbe;
import io.whpg.drsync.dr.NotParkedException;
import io.whpg.drsync.ops.ReplayProgress;
import io.whpg.drsync.ops.ReplayWatch;
import io.whpg.drsync.route.ConsumeSteps;
import io.whpg.drsync.route.PublishSteps;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestException;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.ReceiptStore;
import io.whpg.drsync.state.RegularFiles;
import io.whpg.drsync.state.RestorePointName;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code dr status} and {@code primary status}: read-only, as a table for people or JSON for scripts. */
public final class StatusReport {
    /** {@code prometheus}: the metrics' figures for node_exporter's textfile collector ({@code io.whpg.drsync.ops.FileFigures}). */
    public enum Format { table, json, prometheus }

    private final ObjectNode doc;
    private final List<String> lines;

    private StatusReport(ObjectNode doc, List<String> lines) {
        this.doc = doc;
        this.lines = lines;
    }

    public String render(Format f) {
        return f == Format.json ? Json.pretty(doc) : String.join("\n", lines) + "\n";
    }

    public ObjectNode json() {
        return doc;
    }

    public static StatusReport dr(DrSyncConfig cfg, int receiptLimit) throws IOException {
        ObjectNode doc = Json.object();
        List<String> lines = new ArrayList<>();
        StateStore state = new StateStore(cfg.dr().stateDir());
        String current;
        try {
            current = state.current().orElse(null);
        } catch (IOException e) {
            current = "UNREADABLE: " + e.getMessage();
        }
        doc.put("current_restore_point", current);
        String transit = null;
        if (current == null) {
            try {
                transit = state.transit().map(StateStore.Transit::describe).orElse(null);
            } catch (IOException e) {
                transit = "UNREADABLE: " + e.getMessage();
            }
        }
        doc.put("in_transit", transit);
        lines.add("current restore point : " + (current != null ? current
                : transit != null ? "(none: not parked at a verified point; a cycle " + transit + ")" : "(none yet)"));
        String restore = cfg.archive().backend().isPosix()
                ? "the DR instances' own (archive.backend posix: they read " + cfg.archive().archiveDir() + " themselves)"
                : "tool-owned: " + WalStaging.restoreCommand("<data_dir>") + " (WAL staged from the "
                        + cfg.archive().backend().kind() + " archive " + cfg.archive().archiveDir() + " each cycle)";
        doc.put("restore_command", restore);
        lines.add("restore_command       : " + restore);
        replayProgress(cfg, doc, lines);
        latest(cfg, doc, lines);
        futureStamps(cfg, doc, lines);

        ArrayNode rows = doc.putArray("instances");
        lines.add(String.format("%-5s %-28s %-24s %-12s %s", "seg", "host", "state", "floor", "note"));
        try (ShellOpener opener = new ShellOpener(cfg);
             ConsumeCycle probe = new ConsumeCycle(cfg, Optional.empty(), opener, Clock.systemUTC())) {
            List<HostReply> replies = probe.probeCalls().stream().map(HostCall::run).toList();
            Map<Integer, InstanceProbe> probes = probe.collectProbes(replies);
            for (Instance i : cfg.dr().instances()) {
                InstanceProbe p = probes.get(i.gpSegmentId());
                ObjectNode row = rows.addObject();
                row.put("gp_segment_id", i.gpSegmentId());
                row.put("host", probe.hostOf(i.gpSegmentId()).describe());
                row.put("data_dir", i.dataDir());
                String stateText = p.controlData() != null ? p.controlData().clusterState() : "unknown";
                String floorText = "-";
                String note = "";
                if (p.running()) {
                    stateText = "running";
                    floorText = sqlReplayLsn(cfg, i).orElse("?");
                    note = "replayed to " + floorText + " (SQL)";
                } else {
                    try {
                        Floor f = Floors.of(p);
                        floorText = f.lsn().toString();
                        note = f.source();
                    } catch (NotParkedException e) {
                        note = e.getMessage();
                    }
                }
                row.put("state", stateText);
                row.put("floor", floorText);
                row.put("note", note);
                lines.add(String.format("%-5d %-28s %-24s %-12s %s", i.gpSegmentId(), probe.hostOf(i.gpSegmentId()).describe(),
                        stateText, floorText, note));
            }
        }

        ArrayNode receipts = doc.putArray("receipts");
        List<ObjectNode> recent = new ReceiptStore(cfg.dr().receiptsDir()).recent(receiptLimit);
        lines.add(recent.isEmpty() ? "receipts              : none yet" : "receipts (newest first):");
        for (ObjectNode r : recent) {
            receipts.add(r);
            lines.add("  " + r.path("checked_at_utc").asText() + "  " + r.path("status").asText() + "  "
                    + RestorePointName.printable(r.path("target_restore_point").asText()) + "  "
                    + RestorePointName.printable(r.path("file").asText()));
        }
        return new StatusReport(doc, lines);
    }

    /** A consumer's replay in progress, as its {@link ReplayWatch} last wrote it (another process, every few seconds). */
    private static void replayProgress(DrSyncConfig cfg, ObjectNode doc, List<String> lines) {
        Path file = cfg.dr().stateDir().resolve(ReplayWatch.FILE);
        try {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                JsonNode n = Json.MAPPER.readTree(RegularFiles.read(file, ReceiptStore.MAX_BYTES));
                ReplayProgress.lineOf(n).ifPresent(line -> {
                    doc.set("replay_progress", n);
                    lines.add("replay in progress    : " + line);
                });
            }
        } catch (IOException e) {
            // gone between the check and the read (the replay ended), or torn: no progress to show
        }
    }

    public static StatusReport primary(DrSyncConfig cfg, int limit) throws IOException {
        ObjectNode doc = Json.object();
        List<String> lines = new ArrayList<>();
        latest(cfg, doc, lines);
        ManifestStore store = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
        ArrayNode list = doc.putArray("manifests");
        lines.add("manifests (newest first):");
        for (ManifestStore.Entry entry : store.readNewestFirst().stream().limit(limit).toList()) {
            ObjectNode n = list.addObject();
            n.put("file", entry.path().toString());
            if (entry.manifest().isEmpty()) {
                n.put("error", entry.problem());
                lines.add("  INVALID " + entry.problem());
                continue;
            }
            Manifest m = entry.manifest().get();
            n.put("restore_point", m.restorePoint());
            n.put("ready", m.ready());
            n.put("created_at_utc", m.createdAtUtc().toString());
            Optional<String> future = ManifestStore.futureStamp(m, Instant.now());
            future.ifPresent(w -> n.put("warning", w));
            lines.add("  " + m.restorePoint() + "  " + (m.ready() ? "READY" : "NOT READY") + "  " + m.createdAtUtc()
                    + future.map(w -> "  WARNING: stamp in the future").orElse(""));
        }
        return new StatusReport(doc, lines);
    }

    /** Manifests created or stamped in the future: a wrong publisher clock or a planted file, worth a look. */
    private static void futureStamps(DrSyncConfig cfg, ObjectNode doc, List<String> lines) {
        ManifestStore store = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
        ArrayNode warnings = doc.putArray("manifest_warnings");
        try {
            for (ManifestStore.Entry e : store.readNewestFirst()) {
                e.manifest().flatMap(m -> ManifestStore.futureStamp(m, Instant.now())).ifPresent(w -> {
                    warnings.add(w);
                    lines.add("WARNING manifest      : " + w);
                });
            }
        } catch (IOException e) {
            warnings.add("cannot list manifests: " + e.getMessage());
            lines.add("WARNING manifest      : cannot list manifests: " + e.getMessage());
        }
    }

    private static void latest(DrSyncConfig cfg, ObjectNode doc, List<String> lines) throws IOException {
        ManifestStore store = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
        Optional<ObjectNode> latest;
        try {
            latest = store.latest();
        } catch (IOException e) {
            doc.put("latest_error", e.getMessage());
            lines.add("latest manifest       : UNREADABLE: " + e.getMessage());
            return;
        }
        if (latest.isEmpty()) {
            lines.add("latest manifest       : (none yet)");
            return;
        }
        String name = latest.get().path("restore_point").asText();
        ObjectNode l = doc.putObject("latest_manifest");
        l.put("restore_point", name);
        try {
            RestorePointName.validate(store.latestPath() + ": restore_point", name);
        } catch (IllegalArgumentException e) {
            l.put("error", e.getMessage());
            lines.add("latest manifest       : INVALID: " + e.getMessage());
            return;
        }
        try {
            Manifest m = store.read(name);
            l.put("ready", m.ready());
            l.put("created_at_utc", m.createdAtUtc().toString());
            Optional<Instant> unchanged = ManifestStore.unchangedCheckedAt(latest.get(), name);
            unchanged.ifPresent(t -> l.put(ManifestStore.UNCHANGED_CHECKED_AT, t.toString()));
            lines.add("latest manifest       : " + name + " " + (m.ready() ? "READY" : "NOT READY") + " (created "
                    + m.createdAtUtc() + ")" + unchanged.map(t -> ", primary unchanged since it, checked at " + t).orElse(""));
        } catch (ManifestException e) {
            l.put("error", e.getMessage());
            lines.add("latest manifest       : " + name + " INVALID: " + e.getMessage());
        }
    }

    /** A running DR instance's floor is what it has replayed: asked over SQL, as pg_control is stale while it runs. */
    private static Optional<String> sqlReplayLsn(DrSyncConfig cfg, Instance i) {
        try (Connection c = PublishSteps.dataSource(cfg.primary(), i.host(), i.port(), false).getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(ConsumeSteps.SQL_FLOOR)) {
            return rs.next() ? Optional.ofNullable(rs.getString("replay_lsn")) : Optional.empty();
        } catch (SQLException e) {
            return Optional.empty();
        }
    }
}
