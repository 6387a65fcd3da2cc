package io.whpg.drsync.dr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.backend.ObjectStore;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestException;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.ManifestTrust;
import io.whpg.drsync.state.ReceiptStore;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
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

    private final DrSyncConfig config;
    private final Optional<String> requested;
    private final Clock clock;
    private final Instant startedAt;
    private final CycleHosts hosts;
    private final Map<String, Long> stepMillis = new LinkedHashMap<>();
    private Optional<String> current = Optional.empty();
    private Optional<StateStore.Transit> transitBefore = Optional.empty();
    private boolean departed;
    private final FloorStage floors = new FloorStage();
    private Selection selection;
    private final List<String> skippedManifests = new ArrayList<>();
    private final ParkStage park;
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
        this.park = new ParkStage(config, hosts);
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
                for (ManifestStore.Listed listed : manifests.listed()) {
                    ManifestStore.Entry entry = manifests.entry(listed);
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
        if (!staged || park.plans().isEmpty()) {
            return List.of();
        }
        return hosts.perHost("unstage", hosts.commandTimeout(), segs -> WalStaging.removeScript(segs.stream()
                .map(s -> hosts.instance(s).dataDir()).toList()), park.plans().keySet());
    }

    public void checkUnstaged(List<HostReply> replies) {
        replies.stream().filter(r -> !r.ok()).forEach(r -> LOG.warn("staged WAL not removed on {}: {}",
                r.call().host().describe(), r.problem()));
    }

    public List<HostCall> prepareCalls() {
        return park.prepareCalls(selection.manifest(), selection.toStart(), staged, clock.instant(), clock.millis());
    }

    public void checkPrepared(List<HostReply> replies) {
        Optional<CycleFailure> failure = ParkStage.prepareFailure(replies);
        lap("prepare");
        if (failure.isPresent()) {
            throw failure.get();
        }
    }

    /**
     * Before the first instance moves: the state stops naming the current point (it will no longer hold),
     * and the departure marker names where the cluster is going.
     */
    public void depart(StateStore state) {
        if (park.plans().isEmpty()) {
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
        return park.startCalls(selection.manifest().restorePoint());
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
        return park.awaitCalls(selection.manifest().restorePoint());
    }

    /** Judges every started instance from its evidence; one failure fails the cycle, naming each instance. */
    public void verify(List<HostReply> replies) {
        Optional<CycleFailure> failure = park.judge(replies, selection.manifest(), floors);
        lap("await_and_verify");
        if (failure.isPresent()) {
            throw failure.get();
        }
    }

    /** After a failure: fast-stop whatever this cycle started that still runs, so every instance stays parked. */
    public List<HostCall> stopCalls() {
        return park.stopCalls();
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
                transitBefore, departed, floors.settleNotes(), startedAt, hosts.instances(), hosts.hostOf(), floors.floors(), park.plans().keySet(),
                park.adopted(), park.verdicts(), park.replayMillis(), stepMillis, hosts.opened(), hosts.sshSessions(), skippedManifests)
                .json(status, detail, advanced);
    }

    @Override
    public void close() {
        hosts.close();
    }
}
