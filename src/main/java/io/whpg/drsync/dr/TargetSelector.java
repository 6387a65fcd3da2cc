package io.whpg.drsync.dr;

import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.SegmentPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Chooses the restore point a cycle goes to. Never one that lies behind any instance's floor: an LSN
 * target behind the replay position FATALs, and a name target behind it is silently ignored (FACTS).
 */
public final class TargetSelector {
    public static final String TARGET_BEHIND_FLOOR = "target_behind_floor";
    public static final String TARGET_NOT_READY = "target_not_ready";
    public static final String INSTANCE_MISMATCH = "manifest_instance_mismatch";
    public static final String WRONG_CLUSTER = "wrong_cluster";
    public static final String TARGET_OUT_OF_REACH = "target_out_of_reach";
    private static final Set<String> IDENTITY = Set.of(WRONG_CLUSTER, INSTANCE_MISMATCH);

    private TargetSelector() {
    }

    /**
     * The one named with {@code --target}: refused unless READY, for these instances, at or past every floor and
     * at most {@code maxReplayBytes} past where each instance's replay begins.
     */
    public static Selection requested(Manifest m, Optional<String> current, Map<Integer, Floor> floors, long maxReplayBytes) {
        if (!m.ready()) {
            return Selection.refuse(m, TARGET_NOT_READY, m.restorePoint() + " is NOT READY: its WAL is not all archived");
        }
        return check(m, current, floors, maxReplayBytes).orElseGet(() -> plan(m, floors));
    }

    /**
     * The newest READY manifest past the current point that every instance can reach. {@code newestFirst}
     * holds the valid manifests newest first; scanning stops at the current point, older ones are behind it.
     * When none is usable and one was refused for identity (another cluster, other instances), that refusal
     * is the answer: a DR pointed at the wrong cluster fails every cycle instead of having "nothing to do".
     */
    public static Selection newest(List<Manifest> newestFirst, Optional<String> current, Map<Integer, Floor> floors,
                                   long maxReplayBytes) {
        String firstReason = null;
        Selection identityRefusal = null;
        for (Manifest m : newestFirst) {
            if (current.isPresent() && current.get().equals(m.restorePoint())) {
                break;
            }
            if (!m.ready()) {
                continue;
            }
            Optional<Selection> refusal = check(m, current, floors, maxReplayBytes);
            if (refusal.isEmpty()) {
                return plan(m, floors);
            }
            if (firstReason == null) {
                firstReason = refusal.get().detail();
            }
            if (identityRefusal == null && IDENTITY.contains(refusal.get().status())) {
                identityRefusal = refusal.get();
            }
        }
        if (identityRefusal != null) {
            return identityRefusal;
        }
        String which = current.map(c -> "no READY manifest newer than the current restore point " + c)
                .orElse("no READY manifest (no current restore point yet)");
        return Selection.none(firstReason == null ? which : which + " is usable; newest refused: " + firstReason);
    }

    private static Optional<Selection> check(Manifest m, Optional<String> current, Map<Integer, Floor> floors,
                                             long maxReplayBytes) {
        Set<Integer> want = new TreeSet<>(floors.keySet());
        Set<Integer> have = m.segments().stream().map(SegmentPoint::gpSegmentId).collect(Collectors.toCollection(TreeSet::new));
        if (!want.equals(have)) {
            return Optional.of(Selection.refuse(m, INSTANCE_MISMATCH, m.restorePoint() + " covers segments " + have
                    + " but dr.instances has " + want));
        }
        for (SegmentPoint s : m.segments()) {
            Floor f = floors.get(s.gpSegmentId());
            if (!s.systemIdentifier().equals(f.systemIdentifier())) {
                return Optional.of(Selection.refuse(m, WRONG_CLUSTER, "instance " + s.gpSegmentId()
                        + ": database system identifier " + f.systemIdentifier() + " differs from the manifest's "
                        + s.systemIdentifier() + " (DR copy of another cluster?)"));
            }
            int cmp = s.restoreLsn().compareTo(f.lsn());
            if (cmp < 0 || (cmp == 0 && !f.parked())) {
                return Optional.of(Selection.refuse(m, TARGET_BEHIND_FLOOR, "instance " + s.gpSegmentId() + ": "
                        + m.restorePoint() + " is at " + s.restoreLsn() + ", behind its floor " + f.lsn()
                        + " (" + f.source() + ")"));
            }
            // before any WAL file name is listed: a hostile or odd LSN must not cost time or memory
            long replay = s.restoreLsn().value() - f.replayFrom().value();
            if (Long.compareUnsigned(replay, maxReplayBytes) > 0) {
                return Optional.of(Selection.refuse(m, TARGET_OUT_OF_REACH, "instance " + s.gpSegmentId() + ": "
                        + m.restorePoint() + " is at " + s.restoreLsn() + ", " + Long.toUnsignedString(replay >>> 20)
                        + " MB past where its replay begins (" + f.replayFrom() + "), over behavior.max_replay_mb "
                        + (maxReplayBytes >>> 20)));
            }
        }
        if (current.isPresent() && current.get().equals(m.restorePoint())) {
            return Optional.of(Selection.none("already parked at " + m.restorePoint()));
        }
        return Optional.empty();
    }

    /** Instances already parked exactly at their restore LSN are left alone: nothing is written behind a floor. */
    private static Selection plan(Manifest m, Map<Integer, Floor> floors) {
        List<Integer> toStart = new ArrayList<>();
        for (SegmentPoint s : m.segments()) {
            Floor f = floors.get(s.gpSegmentId());
            if (!(f.parked() && f.lsn().equals(s.restoreLsn()))) {
                toStart.add(s.gpSegmentId());
            }
        }
        return Selection.go(m, toStart);
    }
}
