package io.whpg.drsync.dr;

import static io.whpg.drsync.state.ManifestSamples.SYSTEM_ID;
import static io.whpg.drsync.state.ManifestSamples.manifest;
import static io.whpg.drsync.state.ManifestSamples.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.state.Manifest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetSelectorTest {
    /** The default bound for consumer_wait_reach_secs = 300. */
    private static final long MAX = new io.whpg.drsync.config.Behavior(10, 30, 5, 300, 64, 120, "p").maxReplayBytes();
    // three restore points of a coordinator (-1) and one segment (0), oldest first
    private static final Manifest RP1 = manifest("sync_point_20260201_180000", true,
            point(-1, "0/3016120", 1), point(0, "0/3100028", 1));
    private static final Manifest RP2 = manifest("sync_point_20260201_180010", true,
            point(-1, "0/4000100", 1), point(0, "0/4200060", 1));
    private static final Manifest RP3 = manifest("sync_point_20260201_180020", true,
            point(-1, "0/5000200", 1), point(0, "0/5300090", 1));

    private static Floor parkedAt(int seg, String lsn) {
        return new Floor(seg, Lsn.parse(lsn), 1, Lsn.parse("0/3000028"), true, SYSTEM_ID,
                "pg_controldata: shut down in recovery at " + lsn);
    }

    private static Floor freshBackup(int seg, String end) {
        return new Floor(seg, Lsn.parse(end), 1, Lsn.parse("0/2000028"), false, SYSTEM_ID, "base backup ending at " + end);
    }

    /** Both instances parked exactly at {@code m}. */
    private static Map<Integer, Floor> parkedAt(Manifest m) {
        return Map.of(-1, parkedAt(-1, m.segment(-1).orElseThrow().restoreLsn().toString()),
                0, parkedAt(0, m.segment(0).orElseThrow().restoreLsn().toString()));
    }

    @Test
    void theNewestReadyManifestIsChosenAndEveryInstanceStarted() {
        Selection s = TargetSelector.newest(List.of(RP3, RP2, RP1), Optional.of(RP1.restorePoint()), parkedAt(RP1), MAX);
        assertTrue(s.proceeds());
        assertSame(RP3, s.manifest());
        assertEquals(List.of(-1, 0), s.toStart());
        assertEquals("selected", s.status());
        assertEquals("target sync_point_20260201_180020", s.detail());
    }

    @Test
    void notReadyManifestsAreSkipped() {
        Manifest rp3NotReady = RP3.withReadiness(false, RP3.evidence());
        Selection s = TargetSelector.newest(List.of(rp3NotReady, RP2, RP1), Optional.of(RP1.restorePoint()), parkedAt(RP1), MAX);
        assertSame(RP2, s.manifest());
    }

    @Test
    void scanningStopsAtTheCurrentPoint() {
        Manifest rp3NotReady = RP3.withReadiness(false, RP3.evidence());
        Selection s = TargetSelector.newest(List.of(rp3NotReady, RP2, RP1), Optional.of(RP2.restorePoint()), parkedAt(RP2), MAX);
        assertFalse(s.proceeds());
        assertNull(s.manifest());
        assertEquals(Selection.NOTHING_NEW, s.status());
        assertEquals("no READY manifest newer than the current restore point sync_point_20260201_180010", s.detail());
        // an older READY manifest past the current one is never considered, even if floors would allow it
        assertEquals(Selection.NOTHING_NEW,
                TargetSelector.newest(List.of(RP2, RP1), Optional.of(RP2.restorePoint()), parkedAt(RP1), MAX).status());
    }

    @Test
    void nothingAtAll() {
        Selection s = TargetSelector.newest(List.of(), Optional.empty(), parkedAt(RP1), MAX);
        assertEquals(Selection.NOTHING_NEW, s.status());
        assertEquals("no READY manifest (no current restore point yet)", s.detail());
    }

    @Test
    void theFirstCycleOfAFreshBaseBackupGoesToAPointPastTheBackupsEnd() {
        Map<Integer, Floor> fresh = Map.of(-1, freshBackup(-1, "0/2000100"), 0, freshBackup(0, "0/2000100"));
        Selection s = TargetSelector.newest(List.of(RP3, RP2, RP1), Optional.empty(), fresh, MAX);
        assertSame(RP3, s.manifest());
        assertEquals(List.of(-1, 0), s.toStart());
    }

    @Test
    void aTargetBehindAnyFloorIsRefused() {
        // segment 0 has replayed past RP3's LSN (e.g. a name target that was silently ignored)
        Map<Integer, Floor> floors = Map.of(-1, parkedAt(-1, "0/3016120"), 0, parkedAt(0, "0/6000000"));
        Selection s = TargetSelector.newest(List.of(RP3, RP2, RP1), Optional.empty(), floors, MAX);
        assertFalse(s.proceeds());
        assertEquals(Selection.NOTHING_NEW, s.status());
        assertEquals("no READY manifest (no current restore point yet) is usable; newest refused: "
                + "instance 0: sync_point_20260201_180020 is at 0/5300090, behind its floor 0/6000000 "
                + "(pg_controldata: shut down in recovery at 0/6000000)", s.detail());

        Selection requested = TargetSelector.requested(RP3, Optional.empty(), floors, MAX);
        assertEquals(TargetSelector.TARGET_BEHIND_FLOOR, requested.status());
        assertSame(RP3, requested.manifest());
        assertFalse(requested.proceeds());
    }

    @Test
    void anEqualLsnIsBehindTheFloorUnlessTheInstanceIsParkedThere() {
        // a fresh base backup whose end is exactly the restore LSN: the stop would come before consistency
        Map<Integer, Floor> backupEndsAtRp2 = Map.of(-1, freshBackup(-1, "0/4000100"), 0, freshBackup(0, "0/2000100"));
        Selection refused = TargetSelector.requested(RP2, Optional.empty(), backupEndsAtRp2, MAX);
        assertEquals(TargetSelector.TARGET_BEHIND_FLOOR, refused.status());
        assertEquals("instance -1: sync_point_20260201_180010 is at 0/4000100, behind its floor 0/4000100 "
                + "(base backup ending at 0/4000100)", refused.detail());

        Map<Integer, Floor> parkedAtRp2 = Map.of(-1, parkedAt(-1, "0/4000100"), 0, freshBackup(0, "0/2000100"));
        Selection s = TargetSelector.requested(RP2, Optional.empty(), parkedAtRp2, MAX);
        assertTrue(s.proceeds());
        assertEquals(List.of(0), s.toStart(), "the instance parked exactly there is not started again");
    }

    @Test
    void instancesAlreadyParkedAtTheTargetAreNotStarted() {
        Manifest rp4 = manifest("sync_point_20260201_180030", true, point(-1, "0/4000100", 1), point(0, "0/5300090", 1));
        Map<Integer, Floor> floors = Map.of(-1, parkedAt(-1, "0/4000100"), 0, parkedAt(0, "0/4200060"));
        Selection s = TargetSelector.newest(List.of(rp4, RP2), Optional.of(RP2.restorePoint()), floors, MAX);
        assertSame(rp4, s.manifest());
        assertEquals(List.of(0), s.toStart());
    }

    @Test
    void everyInstanceParkedAtTheNewestWithoutAStateFileStartsNothing() {
        Selection s = TargetSelector.newest(List.of(RP3, RP2), Optional.empty(), parkedAt(RP3), MAX);
        assertTrue(s.proceeds());
        assertSame(RP3, s.manifest());
        assertEquals(List.of(), s.toStart());
    }

    @Test
    void aManifestForOtherInstancesIsRefused() {
        Manifest threeInstances = manifest("sync_point_20260201_180030", true,
                point(-1, "0/5000200", 1), point(0, "0/5300090", 1), point(1, "0/5100000", 1));
        Selection s = TargetSelector.requested(threeInstances, Optional.of(RP1.restorePoint()), parkedAt(RP1), MAX);
        assertEquals(TargetSelector.INSTANCE_MISMATCH, s.status());
        assertEquals("sync_point_20260201_180030 covers segments [-1, 0, 1] but dr.instances has [-1, 0]", s.detail());

        Manifest coordinatorOnly = manifest("sync_point_20260201_180030", true, point(-1, "0/5000200", 1));
        assertEquals(TargetSelector.INSTANCE_MISMATCH,
                TargetSelector.requested(coordinatorOnly, Optional.of(RP1.restorePoint()), parkedAt(RP1), MAX).status());
    }

    @Test
    void aManifestOfAnotherClusterIsRefused() {
        Manifest foreign = manifest("sync_point_20260201_180030", true,
                point(-1, "0/5000200", 1), point(0, "0/5300090", 1, "7712620041504013268"));
        Selection s = TargetSelector.requested(foreign, Optional.of(RP1.restorePoint()), parkedAt(RP1), MAX);
        assertEquals(TargetSelector.WRONG_CLUSTER, s.status());
        assertEquals("instance 0: database system identifier 7712620026465536620 differs from the manifest's "
                + "7712620041504013268 (DR copy of another cluster?)", s.detail());
        // the newest scan passes over it to an older manifest of this cluster
        assertSame(RP2, TargetSelector.newest(List.of(foreign, RP2, RP1), Optional.of(RP1.restorePoint()), parkedAt(RP1), MAX)
                .manifest());
        // with nothing else usable, the identity refusal is the answer, not "nothing to do"
        Selection only = TargetSelector.newest(List.of(foreign, RP1), Optional.of(RP1.restorePoint()), parkedAt(RP1), MAX);
        assertEquals(TargetSelector.WRONG_CLUSTER, only.status());
        assertFalse(only.proceeds());
    }

    @Test
    void requestedTargetVariants() {
        Optional<String> atRp1 = Optional.of(RP1.restorePoint());
        // an older point than the newest, still ahead of every floor: the operator's choice is honoured
        Selection older = TargetSelector.requested(RP2, atRp1, parkedAt(RP1), MAX);
        assertTrue(older.proceeds());
        assertSame(RP2, older.manifest());

        Selection notReady = TargetSelector.requested(RP3.withReadiness(false, RP3.evidence()), atRp1, parkedAt(RP1), MAX);
        assertEquals(TargetSelector.TARGET_NOT_READY, notReady.status());
        assertEquals("sync_point_20260201_180020 is NOT READY: its WAL is not all archived", notReady.detail());

        Selection same = TargetSelector.requested(RP2, Optional.of(RP2.restorePoint()), parkedAt(RP2), MAX);
        assertEquals(Selection.NOTHING_NEW, same.status());
        assertEquals("already parked at sync_point_20260201_180010", same.detail());
        assertFalse(same.proceeds());

        Selection backwards = TargetSelector.requested(RP1, Optional.of(RP2.restorePoint()), parkedAt(RP2), MAX);
        assertEquals(TargetSelector.TARGET_BEHIND_FLOOR, backwards.status());
        assertEquals("instance -1: sync_point_20260201_180000 is at 0/3016120, behind its floor 0/4000100 "
                + "(pg_controldata: shut down in recovery at 0/4000100)", backwards.detail());
    }

    @Test
    void aTargetFurtherThanTheReplayBoundIsRefusedBeforeAnyWalNameIsListed() {
        Manifest far = manifest("sync_point_20260201_180030", true, point(-1, "FFFFFFFF/FF000000", 1), point(0, "0/5300090", 1));
        long t0 = System.nanoTime();
        Selection s = TargetSelector.requested(far, Optional.of(RP1.restorePoint()), parkedAt(RP1), MAX);
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "enumerating the WAL names to there would not end");
        assertEquals(TargetSelector.TARGET_OUT_OF_REACH, s.status());
        assertEquals("instance -1: sync_point_20260201_180030 is at FFFFFFFF/FF000000, 17592186044351 MB past where its "
                + "replay begins (0/3000028), over behavior.max_replay_mb 307200", s.detail());
        // the newest scan passes over it to the newest reachable one
        assertSame(RP3, TargetSelector.newest(List.of(far, RP3, RP1), Optional.of(RP1.restorePoint()), parkedAt(RP1), MAX)
                .manifest());
        // exactly at the bound is allowed, one byte more is not
        Manifest edge = manifest("sync_point_20260201_180040", true, point(-1, "0/4000028", 1), point(0, "0/4000028", 1));
        assertTrue(TargetSelector.requested(edge, Optional.empty(), parkedAt(RP1), 0x1000000L).proceeds());
        assertEquals(TargetSelector.TARGET_OUT_OF_REACH,
                TargetSelector.requested(edge, Optional.empty(), parkedAt(RP1), 0xFFFFFFL).status());
    }
}
