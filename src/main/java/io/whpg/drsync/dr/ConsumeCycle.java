package io.whpg.drsync.dr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.backend.ObjectStore;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestException;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.ManifestTrust;
import io.whpg.drsync.state.ReceiptStore;
import io.whpg.drsync.state.SegmentPoint;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DR cycle, step by step: probe every instance, compute floors, choose the target, check the WAL,
 * write the recovery files, start, wait, verify, and only then commit. Each step is a plain method the
 * consume route calls in order; a step that fails throws {@link CycleFailure} and nothing advances.
 */
public final class ConsumeCycle implements AutoCloseable {
    public static final String SUCCESS = "reached_then_shutdown";
    public static final String INSTANCE_NOT_PARKED = "instance_not_parked";
    public static final String HOST_UNREACHABLE = "host_unreachable";
    public static final String MANIFEST_INVALID = "manifest_invalid";
    public static final String WAL_MISSING = "wal_missing";
    public static final String PREPARE_FAILED = "prepare_failed";
    public static final String START_FAILED = "start_failed";
    public static final String STATE_UNREADABLE = "state_unreadable";
    public static final String STATE_WRITE_FAILED = "state_write_failed";
    private static final Logger LOG = LoggerFactory.getLogger(ConsumeCycle.class);
    private static final List<String> SEVERITY = List.of(ParkVerifier.PROMOTED, ParkVerifier.TARGET_BEHIND_FLOOR,
            ParkVerifier.TIMEOUT_WAITING_FOR_WAL, ParkVerifier.TIMEOUT, ParkVerifier.VERIFICATION_FAILED);

    private final DrSyncConfig config;
    private final Optional<String> requested;
    private final Clock clock;
    private final Instant startedAt;
    private final CycleHosts hosts;
    private final Map<String, Long> stepMillis = new LinkedHashMap<>();
    private Optional<String> current = Optional.empty();
    private Optional<StateStore.Transit> transitBefore = Optional.empty();
    private boolean departed;
    private final List<Integer> adopted = new ArrayList<>();
    private final FloorStage floors = new FloorStage();
    private Selection selection;
    private final List<String> skippedManifests = new ArrayList<>();
    private final Map<Integer, PlannedStart> plans = new TreeMap<>();
    private final Map<Integer, ParkVerifier.Verdict> verdicts = new TreeMap<>();
    private final Map<Integer, Long> replayMillis = new HashMap<>();
    private boolean started;
    private final Map<Integer, List<String>> neededWal = new TreeMap<>();
    private boolean staged;
    private Instant stepStart;

    public ConsumeCycle(DrSyncConfig config, Optional<String> requested, Function<DrHost, io.whpg.drsync.exec.HostShell> opener,
                        Clock clock) {
        this.config = config;
        this.requested = requested;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.stepStart = startedAt;
        this.hosts = new CycleHosts(config, opener);
    }

    private void lap(String step) {
        Instant now = clock.instant();
        stepMillis.put(step, Duration.between(stepStart, now).toMillis());
        stepStart = now;
    }

    public Optional<String> current() {
        return current;
    }

    public Selection selection() {
        return selection;
    }

    public int sshSessions() {
        return hosts.sshSessions();
    }

    /** The manifests the newest-first scan found invalid (each one line); never applied. */
    public List<String> skippedManifests() {
        return List.copyOf(skippedManifests);
    }

    public Map<Integer, Floor> floors() {
        return floors.floors();
    }

    /**
     * Reads the state file and the departure marker; a torn or foreign one stops the cycle rather than
     * being trusted. No state file with a marker means an earlier cycle moved instances and never verified
     * a point: the DR cluster is parked nowhere known, and this cycle starts from the floors alone.
     */
    public void readState(StateStore state) {
        try {
            current = state.current();
            // The state file, when present, is the truth: a marker beside it is a leftover of a crash between two writes.
            transitBefore = current.isPresent() ? Optional.empty() : state.transit();
        } catch (IOException e) {
            throw new CycleFailure(STATE_UNREADABLE, e.getMessage());
        }
        transitBefore.ifPresent(t -> LOG.warn("not parked at a verified restore point: an earlier cycle {}", t.describe()));
        lap("read_state");
    }

    public List<HostCall> probeCalls() {
        return hosts.perHost("probe", hosts.commandTimeout(), segs -> HostScripts.probe(config.dr().pgBin(), hosts.refs(segs)),
                hosts.instances().keySet());
    }

    /** Per instance, what its host's probe showed; an unreachable host yields a probe naming the problem. */
    public Map<Integer, InstanceProbe> collectProbes(List<HostReply> replies) {
        Map<Integer, InstanceProbe> result = new TreeMap<>();
        for (HostReply r : replies) {
            ScriptOutput out = r.error() == null ? ScriptOutput.parse(r.result().stdout()) : null;
            for (Integer seg : hosts.segmentsOn(r.call().host())) {
                result.put(seg, out == null ? InstanceProbe.unreachable(seg, r.problem())
                        : InstanceProbe.from(seg, out.block(seg).orElse(null)));
            }
        }
        return result;
    }

    /**
     * Floors from the probes; an instance that is not a parked standby copy is noted for
     * {@link #refuseUnparked}. On the first
     * probe, servers this tool started and a crash left running (every running one must be such) are
     * not refused but handed to {@link #settleCalls}; the probe after that refuses whatever still runs.
     * A base-backup copy without a backup_manifest gets its floor from its backup history file, read
     * through {@code archive}.
     */
    public void readProbes(List<HostReply> replies, WalArchive archive) {
        List<HostReply> unreachable = replies.stream().filter(r -> r.error() != null).toList();
        if (!unreachable.isEmpty()) {
            throw CycleHosts.unreached(unreachable);
        }
        floors.judge(collectProbes(replies), new ArchivedBackupEnds(archive, seg -> "instance " + seg + " (host "
                + hosts.instance(seg).host() + ", data dir " + hosts.instance(seg).dataDir() + ")"));
        lap("probe");
    }

    /** Refused instances whose server is up: their floor is what they replayed, which only SQL can tell. */
    public List<Integer> runningRefused() {
        return floors.runningRefused();
    }

    /** What a running instance said over SQL: in recovery or not, and how far it has replayed. */
    public void sqlFloor(int gpSegmentId, boolean inRecovery, String replayLsn) {
        floors.sqlFloor(gpSegmentId, inRecovery, replayLsn);
    }

    public void sqlFloorUnavailable(int gpSegmentId, String error) {
        floors.sqlFloorUnavailable(gpSegmentId, error);
    }

    /** Any instance that is not a parked standby copy stops the cycle here, before anything is touched. */
    public void refuseUnparked() {
        floors.refuseUnparked();
    }

    public boolean mustSettle() {
        return floors.mustSettle();
    }

    /**
     * Waits, bounded by {@code consumer_wait_reach_secs}, for the left-over servers to stop by themselves at
     * the target they were started towards; whatever still runs then is fast-stopped (it stays in recovery).
     */
    public List<HostCall> settleCalls() {
        long seconds = config.behavior().consumerWaitReachSecs();
        Duration timeout = Duration.ofSeconds(seconds).plus(Duration.ofSeconds(90)).plus(hosts.commandTimeout());
        return hosts.perHost("settle", timeout, segs -> HostScripts.settle(config.dr().pgBin(), hosts.refs(segs), seconds),
                floors.toSettle());
    }

    public void checkSettled(List<HostReply> replies) {
        List<HostReply> problems = floors.settled(replies);
        lap("settle");
        if (!problems.isEmpty()) {
            throw CycleHosts.unreached(problems);
        }
    }

    public DrHost hostOf(int gpSegmentId) {
        return hosts.hostOf(gpSegmentId);
    }

    /** Chooses the target: the one named with --target, else the newest usable READY manifest. */
    public void select(ManifestStore manifests) {
        if (requested.isPresent()) {
            try {
                selection = TargetSelector.requested(manifests.read(requested.get()), current, floors.floors(),
                        config.behavior().maxReplayBytes());
            } catch (ManifestException e) {
                throw new CycleFailure(e.status(), e.getMessage());
            }
        } else {
            List<Manifest> valid = new ArrayList<>();
            Optional<ManifestStore.Entry> unproven = Optional.empty();
            try {
                for (ManifestStore.Entry entry : manifests.readNewestFirst()) {
                    if (entry.manifest().isEmpty()) {
                        skippedManifests.add(entry.problem());
                        LOG.warn("manifest skipped: {}", entry.problem());
                        if (unproven.isEmpty() && ManifestTrust.refusesNewer(entry, current)) {
                            unproven = Optional.of(entry);
                        }
                        continue;
                    }
                    Manifest m = entry.manifest().get();
                    ManifestStore.futureStamp(m, clock.instant()).ifPresent(w -> LOG.warn("manifest {}", w));
                    valid.add(m);
                    if (current.isPresent() && current.get().equals(m.restorePoint())) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new CycleFailure(MANIFEST_INVALID, "cannot list manifests: " + e.getMessage());
            }
            selection = TargetSelector.newest(valid, current, floors.floors(), config.behavior().maxReplayBytes());
            if (Selection.NOTHING_NEW.equals(selection.status()) && unproven.isPresent()) {
                throw new CycleFailure(unproven.get().status(), unproven.get().problem());
            }
        }
        lap("select");
        if (!selection.proceeds() && !Selection.NOTHING_NEW.equals(selection.status())) {
            throw new CycleFailure(selection.status(), selection.detail());
        }
    }

    public boolean hasWork() {
        return selection != null && selection.proceeds();
    }

    /**
     * Every needed WAL file of every instance to start, from one listing per archive directory; then, with the files
     * known present, each restore LSN is proven to end the manifest's RESTORE_POINT record ({@link RestorePoints}).
     */
    public void preflight(WalArchive archive) {
        Manifest m = selection.manifest();
        List<String> problems = new ArrayList<>();
        for (Integer seg : selection.toStart()) {
            WalPreflight.Check c = WalPreflight.check(seg, floors.floors().get(seg), m, archive);
            c.needed().ifPresent(n -> neededWal.put(seg, n));
            c.problem().ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            lap("wal_preflight");
            throw new CycleFailure(WAL_MISSING, String.join("; ", problems));
        }
        List<String> unproven = RestorePoints.unproven(m, selection.toStart(), archive);
        lap("wal_preflight");
        if (!unproven.isEmpty()) {
            throw new CycleFailure(MANIFEST_INVALID, m.restorePoint() + ": restore LSN not the end of its RESTORE_POINT "
                    + "record in the archived WAL: " + String.join("; ", unproven));
        }
    }

    /**
     * With a store the DR hosts cannot read as a directory ({@code archive.backend} s3 or sftp): the needed WAL of every
     * instance to start is checked in the store and staged beside it ({@link WalStaging}, {@link WalDelivery}).
     */
    public List<HostCall> stageCalls(ObjectStore store) {
        if (store == null) {
            return List.of();
        }
        staged = true;
        Manifest m = selection.manifest();
        Map<Integer, List<String>> needed = new TreeMap<>(neededWal);
        needed.keySet().retainAll(selection.toStart());
        Map<Integer, List<WalStaging.Item>> plan = WalStaging.plan(needed, store, seg -> config.archive().dirFor(seg).toString(),
                m.walSegmentSize(), seg -> m.segment(seg).orElseThrow().systemIdentifier());
        lap("wal_check");
        return WalDelivery.calls(config.archive().backend(), hosts.instances(), plan, store, hosts.commandTimeout().plusMinutes(10),
                hosts::perHost);
    }

    public void checkStaged(List<HostReply> replies) {
        if (!staged) {
            return;
        }
        List<String> problems = replies.stream().flatMap(r -> WalStaging.failures(r).stream()).toList();
        lap("wal_stage");
        if (!problems.isEmpty()) {
            throw new CycleFailure(WalStaging.STAGE_FAILED, String.join("; ", problems));
        }
    }

    /** After a verified park: the staged WAL of the started instances is removed (a failure is only logged). */
    public List<HostCall> unstageCalls() {
        if (!staged || plans.isEmpty()) {
            return List.of();
        }
        return hosts.perHost("unstage", hosts.commandTimeout(), segs -> WalStaging.removeScript(segs.stream()
                .map(s -> hosts.instance(s).dataDir()).toList()), plans.keySet());
    }

    public void checkUnstaged(List<HostReply> replies) {
        replies.stream().filter(r -> !r.ok()).forEach(r -> LOG.warn("staged WAL not removed on {}: {}",
                r.call().host().describe(), r.problem()));
    }

    public List<HostCall> prepareCalls() {
        Manifest m = selection.manifest();
        long stamp = clock.millis();
        m.segments().stream().map(SegmentPoint::gpSegmentId).filter(seg -> !selection.toStart().contains(seg))
                .forEach(adopted::add);
        for (Integer seg : selection.toStart()) {
            Instance i = hosts.instance(seg);
            SegmentPoint p = m.segment(seg).orElseThrow();
            String restore = staged ? WalStaging.restoreCommand(i.dataDir()) : null;
            String conf = RecoveryTargetFile.render(m.restorePoint(), p.restoreLsn(), p.timeline(), restore, clock.instant());
            String log = i.dataDir() + "/log/whpg_dr_sync-" + m.restorePoint() + "-" + stamp + ".log";
            plans.put(seg, new PlannedStart(seg, i.dataDir(), i.port(), conf,
                    RecoveryTargetFile.settings(p.restoreLsn(), p.timeline(), restore), log));
        }
        // the effective settings are asked of PostgreSQL once the recovery file is in place, before any start
        return hosts.perHost("prepare", hosts.commandTimeout(), segs -> HostScripts.prepare(planned(segs))
                + EffectiveSettings.check(config.dr().pgBin(), m.restorePoint(), planned(segs)), plans.keySet());
    }

    private List<PlannedStart> planned(List<Integer> segs) {
        return segs.stream().map(plans::get).toList();
    }

    public void checkPrepared(List<HostReply> replies) {
        List<String> problems = new ArrayList<>();
        for (HostReply r : replies) {
            if (!r.ok()) {
                ScriptOutput out = r.result() == null ? null : ScriptOutput.parse(r.result().stdout());
                String refused = out == null ? null : out.loose("refused").orElse(null);
                String unwritten = out == null ? null : out.loose("write_failed").orElse(null);
                problems.add(refused != null ? "instance " + refused.replace("\n", "; instance ") : unwritten != null
                        ? "prepare on " + r.call().host().describe() + ": " + unwritten.replace('\n', ';') : r.problem());
            }
        }
        lap("prepare");
        if (!problems.isEmpty()) {
            throw new CycleFailure(problems.stream().anyMatch(p -> p.startsWith("instance ")) ? INSTANCE_NOT_PARKED
                    : PREPARE_FAILED, String.join("; ", problems));
        }
    }

    /**
     * Before the first instance moves: the state stops naming the current point (it will no longer hold),
     * and the departure marker names where the cluster is going.
     */
    public void depart(StateStore state) {
        if (plans.isEmpty()) {
            return;
        }
        try {
            state.depart(current, selection.manifest().restorePoint(), clock.instant());
        } catch (IOException e) {
            throw new CycleFailure(PREPARE_FAILED, "cannot record the departure in the state dir: " + e.getMessage());
        }
        departed = true;
    }

    public boolean departed() {
        return departed;
    }

    public List<HostCall> startCalls() {
        started = true;
        String target = selection.manifest().restorePoint();
        return hosts.perHost("start", hosts.commandTimeout(), segs -> HostScripts.start(config.dr().pgBin(), target, planned(segs)),
                plans.keySet());
    }

    public void checkStarted(List<HostReply> replies) {
        List<String> problems = replies.stream().filter(r -> !r.ok()).map(HostReply::problem).toList();
        lap("start");
        if (!problems.isEmpty()) {
            throw new CycleFailure(START_FAILED, String.join("; ", problems));
        }
    }

    /** Waits for the started instances; reports on them and on the adopted ones (already at the target). */
    public List<HostCall> awaitCalls() {
        long seconds = config.behavior().consumerWaitReachSecs();
        Duration timeout = Duration.ofSeconds(seconds).plus(hosts.commandTimeout());
        String target = selection.manifest().restorePoint();
        Set<Integer> judged = new java.util.TreeSet<>(plans.keySet());
        judged.addAll(adopted);
        return hosts.perHost("await", timeout, segs -> HostScripts.await(config.dr().pgBin(), target,
                planned(segs.stream().filter(plans::containsKey).toList()),
                hosts.refs(segs.stream().filter(adopted::contains).toList()), seconds), judged);
    }

    /** Judges every started instance from its evidence; one failure fails the cycle, naming each instance. */
    public void verify(List<HostReply> replies) {
        Manifest m = selection.manifest();
        List<HostReply> unreachable = new ArrayList<>();
        for (HostReply r : replies) {
            if (r.error() != null) {
                unreachable.add(r);
                continue;
            }
            ScriptOutput out = ScriptOutput.parse(r.result().stdout());
            Map<Integer, String> promoted = new HashMap<>();
            out.loose("promoted").ifPresent(lines -> lines.lines().forEach(l -> {
                String[] segAndWhy = l.split(" ", 2);
                promoted.put(Integer.valueOf(segAndWhy[0]), segAndWhy.length > 1 ? segAndWhy[1] : "");
            }));
            for (Integer seg : hosts.segmentsOn(r.call().host())) {
                if (!plans.containsKey(seg) && !adopted.contains(seg)) {
                    continue;
                }
                SegmentPoint p = m.segment(seg).orElseThrow();
                verdicts.put(seg, promoted.containsKey(seg)
                        ? ParkVerifier.promoted(seg, promoted.get(seg), out.block(seg).orElse(null))
                        : ParkVerifier.judge(seg, p.restoreLsn(), p.timeline(), m.walSegmentSize(),
                                floors.probe(seg).historyFiles(), out.block(seg).orElse(null)));
                replayMillis.put(seg, r.millis());
            }
        }
        lap("await_and_verify");
        if (!unreachable.isEmpty()) {
            throw CycleHosts.unreached(unreachable);
        }
        List<ParkVerifier.Verdict> bad = verdicts.values().stream().filter(v -> !v.ok()).toList();
        if (!bad.isEmpty()) {
            String status = SEVERITY.stream().filter(s -> bad.stream().anyMatch(v -> v.status().equals(s)))
                    .findFirst().orElse(ParkVerifier.VERIFICATION_FAILED);
            throw new CycleFailure(status, bad.stream().map(ParkVerifier.Verdict::detail).collect(Collectors.joining("; ")));
        }
    }

    /** After a failure: fast-stop whatever this cycle started that still runs, so every instance stays parked. */
    public List<HostCall> stopCalls() {
        if (!started) {
            return List.of();
        }
        return hosts.perHost("stop", Duration.ofSeconds(90).plus(hosts.commandTimeout()),
                segs -> HostScripts.stop(config.dr().pgBin(), hosts.refs(segs)), plans.keySet());
    }

    /**
     * Receipt first, then the state (which also clears the departure marker): evidence before it counts.
     * The success receipt stands only once the state write is durable: when either write fails, the success
     * receipt is removed and the cycle fails as {@code state_write_failed} (its own receipt says so).
     */
    public Path commit(ReceiptStore receipts, StateStore state) {
        String target = selection.manifest().restorePoint();
        Path receipt;
        try {
            receipt = receipts.write(receipt(SUCCESS, "every instance verified parked at " + target, true));
        } catch (IOException e) {
            throw new CycleFailure(STATE_WRITE_FAILED, "every instance verified parked at " + target
                    + " but the success receipt could not be written, state not advanced: " + e.getMessage());
        }
        try {
            state.advance(target);
        } catch (IOException e) {
            String undo;
            try {
                AtomicFiles.delete(receipt);
                undo = "its success receipt was removed";
            } catch (IOException d) {
                undo = "its success receipt " + receipt + " could not be removed (" + d.getMessage() + ")";
            }
            throw new CycleFailure(STATE_WRITE_FAILED, "every instance verified parked at " + target
                    + " but the state could not be written, " + undo + ": " + e.getMessage());
        }
        return receipt;
    }

    public Path fail(ReceiptStore receipts, String status, String detail) throws IOException {
        return receipts.write(receipt(status, detail, false));
    }

    public ObjectNode receipt(String status, String detail, boolean advanced) {
        return new CycleReceipt(current, requested, selection == null ? null : selection.manifest(), clock.instant(),
                transitBefore, departed, floors.settleNotes(), startedAt, hosts.instances(), hosts.hostOf(), floors.floors(), plans.keySet(), adopted,
                verdicts, replayMillis, stepMillis, hosts.opened(), hosts.sshSessions(), skippedManifests)
                .json(status, detail, advanced);
    }

    @Override
    public void close() {
        hosts.close();
    }
}
