package io.whpg.drsync.dr;

import static io.whpg.drsync.dr.Reports.concat;
import static io.whpg.drsync.dr.Reports.label;
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

/** Control data from real PostgreSQL 15 runs (controldata/ and serverlog/ samples) and a real Greenplum 7 copy (backup/gp7/). */
class FloorsTest {
    private static final String PARKED = sample("controldata/shut-down-in-recovery.txt");
    private static final String FRESH_COPY = sample("controldata/basebackup-fresh.txt");
    private static final String SYSTEM_ID = "7712620026465536620";
    private static final String GP7_FRESH = sample("backup/gp7/basebackup-fresh.controldata");
    private static final String GP7_HISTORY_NAME = "000000010000000000000003.00000028.backup";
    /** Where a backup_manifest or pg_control names the end, the archive must not be asked. */
    private static final Floors.BackupEnds NO_ARCHIVE = (seg, start, size) -> {
        throw new AssertionError("archive asked for " + start);
    };

    private static InstanceProbe probe(int seg, String controlData, String... lines) {
        return InstanceProbe.from(seg, parsed(seg, controlData, List.of(lines)));
    }

    private static InstanceProbe probe(int seg, String controlData, List<String> lines) {
        return InstanceProbe.from(seg, parsed(seg, controlData, lines));
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
    void aFreshBaseBackupStandsAtTheEndItsManifestNamesAndReplaysFromItsStart() throws NotParkedException {
        Floor f = Floors.of(probe(-1, FRESH_COPY, concat(label("backup/backup_label"), List.of("@@whpg standby_signal",
                "@@whpg backup_end \"End-LSN\": \"0/2000100\""))), NO_ARCHIVE);
        assertEquals(new Floor(-1, Lsn.parse("0/2000100"), 1, Lsn.parse("0/2000028"), false, SYSTEM_ID,
                "base backup ending at 0/2000100"), f);
    }

    @Test
    void aFreshGreenplum7CopyStandsAtTheStopWalLocationOfItsBackupHistoryFile() throws NotParkedException {
        // real Greenplum 7 (PostgreSQL 12): backup_label, no backup_manifest, 64 MB segments
        List<String> asked = new java.util.ArrayList<>();
        Floors.BackupEnds archive = (seg, start, segmentSize) -> {
            asked.add(seg + " " + start.historyFileName(segmentSize));
            return start.match(GP7_HISTORY_NAME, sample("backup/gp7/" + GP7_HISTORY_NAME), segmentSize);
        };
        Floor f = Floors.of(probe(-1, GP7_FRESH, concat(label("backup/gp7/backup_label"), List.of("@@whpg standby_signal"))),
                archive);
        assertEquals(List.of("-1 " + GP7_HISTORY_NAME), asked);
        assertEquals(new Floor(-1, Lsn.parse("0/C000100"), 1, Lsn.parse("0/C000028"), false, "7715810866857556918",
                "base backup ending at 0/C000100 (STOP WAL LOCATION of " + GP7_HISTORY_NAME + ")"), f);
    }

    @Test
    void withoutTheArchiveAFreshCopyWithoutManifestSaysWhereItsEndWillBeRead() {
        assertEquals("instance -1: fresh base backup (backup_label: START WAL LOCATION 0/C000028, LABEL \"pg_basebackup base "
                        + "backup\"): its floor is the STOP WAL LOCATION of the backup history file " + GP7_HISTORY_NAME
                        + " in the archive, read by dr run",
                refusal(probe(-1, GP7_FRESH, concat(label("backup/gp7/backup_label"), List.of("@@whpg standby_signal")))));
    }

    @Test
    void whatTheArchiveRefusesRefusesTheInstance() {
        Floors.BackupEnds missing = (seg, start, segmentSize) -> {
            throw new NotParkedException("instance " + seg + " (host h, data dir /d): history missing");
        };
        assertEquals("instance 0 (host h, data dir /d): history missing", assertThrows(NotParkedException.class,
                () -> Floors.of(probe(0, GP7_FRESH, concat(label("backup/gp7/backup_label"), List.of("@@whpg standby_signal"))),
                        missing)).getMessage());
        // the most dangerous finding still comes first: the archive is not even asked about a running copy
        assertEquals("instance 0: is running (postmaster pid 7)", assertThrows(NotParkedException.class,
                () -> Floors.of(probe(0, GP7_FRESH, concat(label("backup/gp7/backup_label"),
                        List.of("@@whpg standby_signal", "@@whpg running 7"))), missing)).getMessage());
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
                refusal(probe(0, FRESH_COPY, concat(label("backup/backup_label"),
                        List.of("@@whpg backup_end \"End-LSN\": \"0/2000100\"")))));
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
        assertEquals("instance 0: stopped before reaching the end of its base backup (started at 0/B000028): its floor is "
                        + "the STOP WAL LOCATION of the backup history file 00000001000000000000000B.00000028.backup in the "
                        + "archive, read by dr run",
                refusal(probe(0, unfinished, "@@whpg standby_signal")));
    }

    @Test
    void withoutAManifestACopyStoppedBeforeItsBackupsEndFindsThatEndInTheArchive() throws NotParkedException {
        // PostgreSQL 12: pg_control keeps the backup's start, backup_label is gone (backup_label.old), no manifest
        String unfinished = sample("serverlog/unfinished-backup.controldata");
        String end = sample("serverlog/unfinished-backup.backup_end").strip();
        String history = sample("backup/000000010000000000000002.00000028.backup").replace("0/2000028", "0/B000028")
                .replace("0/2000060", "0/B000060").replace("0/2000100", end).replace("000000010000000000000002",
                        "00000001000000000000000B").replace("pg_basebackup base backup", "unfinished");
        Floor f = Floors.of(probe(0, unfinished, "@@whpg standby_signal"),
                (seg, start, segmentSize) -> start.match(start.historyFileName(segmentSize), history, segmentSize));
        assertEquals(Lsn.parse(end), f.lsn());
        assertFalse(f.parked());
        assertEquals(Lsn.parse("0/B000028"), f.replayFrom());
        assertEquals("pg_controldata: shut down in recovery before its base backup's end " + end
                + " (STOP WAL LOCATION of 00000001000000000000000B.00000028.backup)", f.source());
    }

    @Test
    void aGreenplum7CopyStoppedBeforeItsBackupsEndFindsThatEndInItsBackupHistoryFile() throws NotParkedException {
        // real Greenplum 7: started by hand towards a target before its backup's end, it FATALed "in archive recovery"
        String fatal = sample("backup/gp7/before-backup-end.controldata");
        String name = "000000010000000000000002.00000028.backup";
        Floor f = Floors.of(probe(1, fatal, "@@whpg standby_signal"),
                (seg, start, segmentSize) -> start.match(name, sample("backup/gp7/" + name), segmentSize));
        assertEquals(Lsn.parse("0/8000100"), f.lsn());
        assertEquals(Lsn.parse("0/8000028"), f.replayFrom());
        assertFalse(f.parked());
        assertEquals("pg_controldata: in archive recovery before its base backup's end 0/8000100 (STOP WAL LOCATION of "
                + name + ")", f.source());
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
