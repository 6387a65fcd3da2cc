package io.whpg.drsync.dr;

import static io.whpg.drsync.dr.Reports.parsed;
import static io.whpg.drsync.dr.Reports.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.Lsn;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Control data from real PostgreSQL 15 runs (controldata/ and serverlog/ samples). */
class FloorsTest {
    private static final String PARKED = sample("controldata/shut-down-in-recovery.txt");
    private static final String FRESH_COPY = sample("controldata/basebackup-fresh.txt");
    private static final String SYSTEM_ID = "7712620026465536620";

    private static InstanceProbe probe(int seg, String controlData, String... lines) {
        return InstanceProbe.from(seg, parsed(seg, controlData, List.of(lines)));
    }

    private static String refusal(InstanceProbe p) {
        return assertThrows(NotParkedException.class, () -> Floors.of(p)).getMessage();
    }

    @Test
    void aParkedInstanceStandsWhereItStopped() throws NotParkedException {
        Floor f = Floors.of(probe(0, PARKED, "@@whpg standby_signal"));
        assertEquals(new Floor(0, Lsn.parse("0/3016120"), 1, Lsn.parse("0/3000028"), true, SYSTEM_ID,
                "pg_controldata: shut down in recovery at 0/3016120"), f);
    }

    @Test
    void anInstanceStoppedWhileWaitingForWalStandsWhereItGotStuck() throws NotParkedException {
        String stuck = sample("serverlog/waiting-for-wal.controldata");
        Floor f = Floors.of(probe(0, stuck, "@@whpg standby_signal"));
        assertEquals(Lsn.parse("0/4000000"), f.lsn());
        assertEquals(ControlData.parse(stuck).latestCheckpointRedo(), f.replayFrom(), "the next start replays from its REDO");
        assertEquals(true, f.parked());
    }

    @Test
    void aFreshBaseBackupStandsAtTheBackupsEndAndReplaysFromItsStart() throws NotParkedException {
        Floor f = Floors.of(probe(-1, FRESH_COPY, "@@whpg standby_signal", "@@whpg backup_start 0/2000028",
                "@@whpg backup_end \"End-LSN\": \"0/2000100\""));
        assertEquals(new Floor(-1, Lsn.parse("0/2000100"), 1, Lsn.parse("0/2000028"), false, SYSTEM_ID,
                "base backup ending at 0/2000100"), f);
    }

    @Test
    void aFreshBaseBackupWithoutItsManifestCannotBeJudged() {
        assertEquals("instance -1: fresh base backup (backup_label present) without a backup_manifest naming its end "
                        + "LSN: cannot tell which restore points it can reach",
                refusal(probe(-1, FRESH_COPY, "@@whpg standby_signal", "@@whpg backup_start 0/2000028")));
    }

    @Test
    void aRunningInstanceIsRefused() {
        assertEquals("instance 0: is running (postmaster pid 4242)",
                refusal(probe(0, PARKED, "@@whpg standby_signal", "@@whpg running 4242")));
    }

    @Test
    void recoverySignalWouldPromote() {
        assertEquals("instance 0: recovery.signal is present: starting it would promote it",
                refusal(probe(0, PARKED, "@@whpg standby_signal", "@@whpg recovery_signal")));
    }

    @Test
    void withoutStandbySignalItWouldOpenReadWrite() {
        assertEquals("instance 0: standby.signal is missing: starting it would open it read-write",
                refusal(probe(0, PARKED)));
        assertEquals("instance 0: standby.signal is missing: starting it would open it read-write",
                refusal(probe(0, FRESH_COPY, "@@whpg backup_start 0/2000028", "@@whpg backup_end \"End-LSN\": \"0/2000100\"")));
    }

    @Test
    void recoveryTargetsSetOutsideTheToolsFileAreRefused() {
        assertEquals("instance 1: recovery targets set outside the tool's file (postgresql.auto.conf: "
                        + "recovery_target_name = 'x'; postgresql.auto.conf: recovery_target_timeline = 'latest'): "
                        + "remove them with ALTER SYSTEM RESET",
                refusal(probe(1, PARKED, "@@whpg standby_signal",
                        "@@foreign postgresql.auto.conf: recovery_target_name = 'x'",
                        "@@foreign postgresql.auto.conf: recovery_target_timeline = 'latest'")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "controldata/primary-running.txt|in production",
            "controldata/primary-shut-down.txt|shut down",
            "controldata/primary-64mb-shut-down.txt|shut down"})
    void anyOtherStateIsRefusedEvenWithStandbySignal(String resource, String state) {
        assertEquals("instance 0: cluster state is '" + state + "', expected 'shut down in recovery' (or a fresh base "
                + "backup with backup_label)", refusal(probe(0, sample(resource), "@@whpg standby_signal")));
    }

    @Test
    void anInstanceStoppedMidRecoveryResumesFromWhereItGot() throws NotParkedException {
        // a crash or kill leaves "in archive recovery"; a restart resumes recovery, but it is not parked anywhere
        String crashed = sample("serverlog/waiting-for-wal.controldata").replace("shut down in recovery", "in archive recovery");
        Floor f = Floors.of(probe(0, crashed, "@@whpg standby_signal"));
        assertEquals(Lsn.parse("0/4000000"), f.lsn());
        assertFalse(f.parked());
        assertEquals("pg_controldata: stopped mid-recovery (in archive recovery) at 0/4000000", f.source());
    }

    @Test
    void aCopyThatStoppedBeforeItsBackupsEndStandsAtThatEnd() throws NotParkedException {
        // measured: stopped with pg_ctl stop -m fast while waiting for the segment holding its backup's end, the copy
        // says "shut down in recovery" at 0/DFFFFE8, yet any target before 0/ED38980 FATALs as before consistency
        String unfinished = sample("serverlog/unfinished-backup.controldata");
        String end = sample("serverlog/unfinished-backup.backup_end").strip();
        assertTrue(ControlData.parse(unfinished).isShutDownInRecovery());
        Floor f = Floors.of(probe(0, unfinished, "@@whpg standby_signal", "@@whpg backup_end \"End-LSN\": \"" + end + "\""));
        assertEquals(Lsn.parse(end), f.lsn());
        assertFalse(f.parked());
        assertEquals(Lsn.parse("0/B000028"), f.replayFrom());
        assertEquals("pg_controldata: shut down in recovery before its base backup's end " + end, f.source());
        assertEquals("instance 0: stopped before reaching the end of its base backup (started at 0/B000028) and no "
                        + "backup_manifest names that end: cannot tell which restore points it can reach",
                refusal(probe(0, unfinished, "@@whpg standby_signal")));
    }

    @Test
    void aCopyWhoseTargetWasBeforeItsBackupsEndStandsAtThatEnd() throws NotParkedException {
        // measured: the FATAL "requested recovery stop point is before consistent recovery point" leaves "in archive recovery"
        String fatal = sample("serverlog/behind-consistent-point.controldata");
        String end = sample("serverlog/behind-consistent-point.backup_end").strip();
        Floor f = Floors.of(probe(0, fatal, "@@whpg standby_signal", "@@whpg backup_end \"End-LSN\": \"" + end + "\""));
        assertEquals(Lsn.parse(end), f.lsn());
        assertFalse(f.parked());
        assertEquals("pg_controldata: in archive recovery before its base backup's end " + end, f.source());
        assertThrows(NotParkedException.class, () -> Floors.of(probe(0, fatal, "@@whpg standby_signal")));
    }

    @Test
    void aMissingDataDirectoryOrUnreadableControlDataIsRefused() {
        assertEquals("instance 2: data directory does not exist", refusal(probe(2, "", "@@whpg missing")));
        assertEquals("instance 2: pg_controldata failed: pg_controldata: error: could not open file "
                        + "\"/d/global/pg_control\" for reading: Permission denied",
                refusal(probe(2, "pg_controldata: error: could not open file \"/d/global/pg_control\" for reading: "
                        + "Permission denied", "@@whpg standby_signal")));
        assertEquals("instance 2: no probe output for this instance", refusal(InstanceProbe.from(2, null)));
    }

    @Test
    void theMostDangerousProblemIsNamedFirst() {
        // running beats every other finding: the instance must not be touched at all
        assertEquals("instance 0: is running (postmaster pid 9)", refusal(probe(0, sample("controldata/primary-running.txt"),
                "@@whpg running 9", "@@whpg recovery_signal")));
        // recovery.signal (promotion) is named before a missing standby.signal
        assertEquals("instance 0: recovery.signal is present: starting it would promote it",
                refusal(probe(0, PARKED, "@@whpg recovery_signal")));
    }
}
