package io.whpg.drsync.dr;

import static io.whpg.drsync.dr.Reports.concat;
import static io.whpg.drsync.dr.Reports.log;
import static io.whpg.drsync.dr.Reports.parsed;
import static io.whpg.drsync.dr.Reports.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.pg.Lsn;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real PostgreSQL 15 logs and control data of DR stops, see serverlog/README.txt. */
class ParkVerifierTest {
    private static final long SEG = 16L << 20;
    private static final Lsn RP1 = Lsn.parse(sample("serverlog/parked.lsn").strip());
    private static final String PARKED_CD = sample("serverlog/parked.controldata");
    private static final List<String> PARKED_LOG = log("serverlog/parked.log");
    private static final List<String> PARKED_FLAGS = List.of("@@whpg standby_signal");

    private static ParkVerifier.Verdict judge(Lsn target, int timeline, List<String> historyBefore, String cd,
                                              List<String> lines) {
        return ParkVerifier.judge(0, target, timeline, SEG, historyBefore, parsed(0, cd, lines));
    }

    private static ParkVerifier.Verdict parkedWith(String cd, List<String> lines) {
        return judge(RP1, 1, List.of(), cd, lines);
    }

    @Test
    void parkedWhenEveryPieceOfEvidenceAgrees() {
        ParkVerifier.Verdict v = parkedWith(PARKED_CD, concat(PARKED_FLAGS, PARKED_LOG));
        assertTrue(v.ok(), v.detail());
        assertEquals(ParkVerifier.OK, v.status());
        assertEquals("instance 0: parked at 0/301FB30", v.detail());
        assertEquals(RP1, v.after().minRecoveryEnd());
        assertNull(v.missingWal());
        assertEquals(PARKED_LOG.stream().map(l -> l.substring(6)).toList(), v.evidence());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"page-boundary", "segment-boundary"})
    void aRestorePointEndingOnAPageBoundaryStopsBeforeTheRecordAfterThePageHeader(String sample) {
        // the stop line names 0/8002018 (0/9000028 after a segment's long header); the restore LSN is 0/8002000 (0/9000000)
        Lsn target = Lsn.parse(sample("serverlog/" + sample + ".lsn").strip());
        ParkVerifier.Verdict v = judge(target, 1, List.of(), sample("serverlog/" + sample + ".controldata"),
                concat(PARKED_FLAGS, log("serverlog/" + sample + ".log")));
        assertTrue(v.ok(), v.detail());
        assertEquals(target, v.after().minRecoveryEnd());
    }

    @Test
    void theRecordAfterARestorePoint() {
        assertEquals(Lsn.parse("0/301FB30"), ParkVerifier.nextRecordStart(Lsn.parse("0/301FB30"), 8192, SEG));
        assertEquals(Lsn.parse("0/8002018"), ParkVerifier.nextRecordStart(Lsn.parse("0/8002000"), 8192, SEG));
        assertEquals(Lsn.parse("0/9000028"), ParkVerifier.nextRecordStart(Lsn.parse("0/9000000"), 8192, SEG));
        // Greenplum: 32 KB WAL pages, 64 MB segments
        assertEquals(Lsn.parse("0/8006000"), ParkVerifier.nextRecordStart(Lsn.parse("0/8006000"), 32768, 64L << 20));
        assertEquals(Lsn.parse("0/8008018"), ParkVerifier.nextRecordStart(Lsn.parse("0/8008000"), 32768, 64L << 20));
        assertEquals(Lsn.parse("1/28"), ParkVerifier.nextRecordStart(Lsn.parse("1/0"), 32768, 64L << 20));
    }

    private static void assertFailure(String expectedDetail, ParkVerifier.Verdict v) {
        assertFalse(v.ok());
        assertEquals(ParkVerifier.VERIFICATION_FAILED, v.status());
        assertEquals("instance 0: " + expectedDetail, v.detail());
    }

    @Test
    void theClusterStateMustBeShutDownInRecovery() {
        assertFailure("cluster state is 'in archive recovery', expected 'shut down in recovery'",
                parkedWith(PARKED_CD.replace("shut down in recovery", "in archive recovery"), concat(PARKED_FLAGS, PARKED_LOG)));
    }

    private static String stopLine(Lsn at) {
        return "@@log 2026-11-27 10:00:00.000 UTC [4242] LOG:  recovery stopping before WAL location (LSN) \"" + at + "\"";
    }

    @Test
    void aMinimumRecoveryEndingLocationPastTheTargetIsAnOvershoot() {
        Lsn earlier = Lsn.parse("0/301FAF8");
        assertFailure("minimum recovery ending location 0/301FB30 is past the target 0/301FAF8: replay overshot",
                judge(earlier, 1, List.of(), PARKED_CD, concat(PARKED_FLAGS, List.of(stopLine(earlier)))));
    }

    @Test
    void aMinimumRecoveryEndingLocationBehindTheTargetIsNoFailureTheStopLineIsTheProof() {
        // no page flushed since the last update: pg_control's minimum lags behind the exact stop
        Lsn later = RP1.plus(0x100);
        ParkVerifier.Verdict v = judge(later, 1, List.of(), PARKED_CD, concat(PARKED_FLAGS, List.of(stopLine(later))));
        assertTrue(v.ok(), v.detail());
        assertFailure("its log lacks the line 'recovery stopping before WAL location (LSN) \"0/301FC30\"'",
                judge(later, 1, List.of(), PARKED_CD, concat(PARKED_FLAGS, PARKED_LOG)));
    }

    @Test
    void theTimelineMustBeThePinnedOne() {
        assertFailure("stopped on timeline 1, expected 2", judge(RP1, 2, List.of(), PARKED_CD, concat(PARKED_FLAGS, PARKED_LOG)));
    }

    @Test
    void theLogMustShowTheStopBeforeTheTarget() {
        List<String> noStop = PARKED_LOG.stream().filter(l -> !l.contains("recovery stopping")).toList();
        assertFailure("its log lacks the line 'recovery stopping before WAL location (LSN) \"0/301FB30\"'",
                parkedWith(PARKED_CD, concat(PARKED_FLAGS, noStop)));
        // a stop somewhere else (an inclusive target replays one record more) is no proof either
        List<String> otherStop = PARKED_LOG.stream().map(l -> l.replace("0/301FB30", "0/301FB68")).toList();
        assertFailure("its log lacks the line 'recovery stopping before WAL location (LSN) \"0/301FB30\"'",
                parkedWith(PARKED_CD, concat(PARKED_FLAGS, otherStop)));
    }

    @Test
    void aFatalOrPanicInTheLogIsNamedFirst() {
        List<String> fatal = concat(PARKED_LOG,
                List.of("@@log 2026-11-27 10:00:00.000 UTC [4242] FATAL:  multiple recovery targets specified"));
        assertFailure("exited with FATAL:  multiple recovery targets specified",
                parkedWith(PARKED_CD, concat(PARKED_FLAGS, fatal)));
    }

    @Test
    void standbySignalMustStillBeThere() {
        assertFailure("standby.signal disappeared", parkedWith(PARKED_CD, PARKED_LOG));
    }

    @Test
    void recoverySignalMustNotAppear() {
        assertFailure("recovery.signal appeared",
                parkedWith(PARKED_CD, concat(List.of("@@whpg standby_signal", "@@whpg recovery_signal"), PARKED_LOG)));
    }

    @Test
    void aNewTimelineHistoryMeansItWasPromoted() {
        List<String> lines = concat(List.of("@@whpg standby_signal", "@@hist 00000002.history", "@@hist 00000003.history"),
                PARKED_LOG);
        assertFailure("new timeline history [00000003.history] appeared: the instance was promoted",
                judge(RP1, 1, List.of("00000002.history"), PARKED_CD, lines));
        assertTrue(judge(RP1, 1, List.of("00000002.history", "00000003.history"), PARKED_CD, lines).ok());
    }

    @Test
    void theHistoryOfTheTargetsOwnTimelineIsRestoredOnTheWayNotAPromotion() {
        List<String> lines = concat(List.of("@@whpg standby_signal", "@@hist 00000002.history"), PARKED_LOG);
        assertFalse(judge(RP1, 2, List.of(), PARKED_CD, lines).detail().contains("timeline history"));
        assertFailure("new timeline history [00000002.history] appeared: the instance was promoted",
                judge(RP1, 1, List.of(), PARKED_CD, lines));
    }

    @Test
    void everyMissingPieceIsNamed() {
        ParkVerifier.Verdict v = judge(RP1, 2, List.of(), sample("controldata/primary-shut-down.txt"),
                List.of("@@whpg recovery_signal", "@@hist 00000003.history"));
        assertFailure("cluster state is 'shut down', expected 'shut down in recovery'; standby.signal disappeared; "
                + "recovery.signal appeared; new timeline history [00000003.history] appeared: the instance was promoted; "
                + "its log lacks the line 'recovery stopping before WAL location (LSN) \"0/301FB30\"'", v);
    }

    @Test
    void stillRunningAndWaitingForAMissingWalFile() {
        List<String> lines = concat(List.of("@@whpg running 4242", "@@whpg standby_signal"), log("serverlog/waiting-for-wal.log"));
        ParkVerifier.Verdict v = judge(Lsn.parse("0/5000060"), 1, List.of(), sample("serverlog/waiting-for-wal.controldata"),
                lines);
        String missing = sample("serverlog/waiting-for-wal.missing").strip();
        assertEquals(ParkVerifier.TIMEOUT_WAITING_FOR_WAL, v.status());
        assertEquals(missing, v.missingWal());
        assertEquals("instance 0: still replaying at the deadline, waiting for WAL file " + missing, v.detail());
        assertNull(v.after());
        assertFalse(v.evidence().isEmpty());
    }

    @Test
    void theRestoreCommandsOwnErrorNamesTheFile() {
        List<String> lines = List.of("@@whpg running 4242",
                "@@log cp: cannot stat '/data/archive/wal/0/000000010000000000000005': No such file or directory");
        ParkVerifier.Verdict v = judge(Lsn.parse("0/6000060"), 1, List.of(), "", lines);
        assertEquals(ParkVerifier.TIMEOUT_WAITING_FOR_WAL, v.status());
        assertEquals("000000010000000000000005", v.missingWal());
        assertEquals("instance 0: still replaying at the deadline, waiting for WAL file 000000010000000000000005", v.detail());
    }

    @Test
    void withoutARestoreCommandErrorTheFileIsWorkedOutFromTheWaitingLine() {
        List<String> waiting = log("serverlog/waiting-for-wal.log").stream().filter(l -> l.contains("waiting for WAL")).toList();
        ParkVerifier.Verdict v = judge(Lsn.parse("0/5000060"), 1, List.of(), "",
                concat(List.of("@@whpg running 4242"), waiting));
        assertEquals(ParkVerifier.TIMEOUT_WAITING_FOR_WAL, v.status());
        assertEquals("000000010000000000000004", v.missingWal());
        // on timeline 3 the same position is in timeline 3's file
        assertEquals(Optional.of("000000030000000000000004"),
                ParkVerifier.missingWal(List.of("LOG:  waiting for WAL to become available at 0/4000018"), 3, SEG));
    }

    @Test
    void theWaitingLsnEndsTheBytesAskedFor() {
        // PostgreSQL logs page start + request length: a request ending on a boundary reads the earlier file
        assertEquals(Optional.of("000000010000000000000004"),
                ParkVerifier.missingWal(List.of("LOG:  waiting for WAL to become available at 0/5000000"), 1, SEG));
        assertEquals(Optional.of("000000010000000000000005"),
                ParkVerifier.missingWal(List.of("LOG:  waiting for WAL to become available at 0/5000018"), 1, SEG));
        assertEquals(Optional.empty(), ParkVerifier.missingWal(List.of("LOG:  shutdown at recovery target"), 1, SEG));
    }

    @Test
    void theLatestRestoreCommandErrorWins() {
        assertEquals(Optional.of("000000010000000000000007"), ParkVerifier.missingWal(List.of(
                "cp: cannot stat '/a/000000010000000000000006': No such file or directory",
                "LOG:  restored log file \"000000010000000000000006\" from archive",
                "cp: cannot stat '/a/00000002.history': No such file or directory",
                "cp: cannot stat '/a/000000010000000000000007': No such file or directory",
                "LOG:  waiting for WAL to become available at 0/7000018"), 1, SEG));
    }

    @Test
    void stillRunningWithoutEvidenceOfMissingWalIsAPlainTimeout() {
        ParkVerifier.Verdict v = judge(RP1, 1, List.of(), "", List.of("@@whpg running 4242",
                "@@log 2026-11-27 10:00:00.000 UTC [4242] LOG:  consistent recovery state reached at 0/2000100"));
        assertEquals(ParkVerifier.TIMEOUT, v.status());
        assertEquals("instance 0: still replaying at the deadline (no missing WAL in its log)", v.detail());
        assertNull(v.missingWal());
    }

    @Test
    void aTargetBeforeTheConsistentPointIsRefusedByPostgres() {
        ParkVerifier.Verdict v = judge(RP1, 1, List.of(), sample("serverlog/behind-consistent-point.controldata"),
                concat(PARKED_FLAGS, log("serverlog/behind-consistent-point.log")));
        assertEquals(ParkVerifier.TARGET_BEHIND_FLOOR, v.status());
        assertEquals("instance 0: PostgreSQL refused the target: requested recovery stop point is before consistent "
                + "recovery point", v.detail());
        assertEquals("in archive recovery", v.after().clusterState());
    }

    @Test
    void noReportOrUnreadableControlDataIsAFailure() {
        ParkVerifier.Verdict none = ParkVerifier.judge(5, RP1, 1, SEG, List.of(), null);
        assertEquals(ParkVerifier.VERIFICATION_FAILED, none.status());
        assertEquals("instance 5: no report from its host", none.detail());

        ParkVerifier.Verdict unreadable = judge(RP1, 1, List.of(),
                "pg_controldata: error: could not open file \"/d/global/pg_control\" for reading: No such file or directory",
                concat(PARKED_FLAGS, PARKED_LOG));
        assertEquals(ParkVerifier.VERIFICATION_FAILED, unreadable.status());
        assertEquals("instance 0: pg_controldata unreadable after the stop: pg_controldata output: missing field "
                + "\"Database system identifier\"", unreadable.detail());
    }
}
