package io.whpg.drsync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WalFileTest {
    private static final long MB16 = 16L << 20;
    private static final long MB64 = 64L << 20;

    /** Every row was answered by a real PostgreSQL 15 server (timeline 1), see walfile/ in the README. */
    @ParameterizedTest(name = "{0} bytes, {1} -> {2}")
    @CsvFileSource(resources = "/walfile/pg_walfile_name.csv", numLinesToSkip = 1)
    void namesTheSameFileAsPgWalfileName(long segmentSize, String lsn, String walfile) {
        assertEquals(walfile, WalFile.containing(Lsn.parse(lsn), 1, segmentSize).name());
    }

    @Test
    void theServerSampleCoversBothSegmentSizesAndTheRollover() {
        String csv = PgSamples.read("walfile/pg_walfile_name.csv");
        assertTrue(csv.lines().filter(l -> l.startsWith("16777216,")).count() >= 35);
        assertTrue(csv.lines().filter(l -> l.startsWith("67108864,")).count() >= 35);
        assertTrue(csv.contains("16777216,1/0,0000000100000000000000FF"));
        assertTrue(csv.contains("67108864,FFFFFFFF/FFFFFFFF,00000001FFFFFFFF0000003F"));
    }

    @ParameterizedTest
    @CsvSource({
        // end of record exactly on a boundary (after a WAL switch) belongs to the earlier file
        "0/1000000, 16777216, 0",
        "0/1000001, 16777216, 1",
        "0/FFFFFF,  16777216, 0",
        "0/1,       16777216, 0",
        "0/4000000, 67108864, 0",
        "0/4000028, 67108864, 1",
        "1/0,       67108864, 63",
        "1/1,       67108864, 64",
        "1/0,       1073741824, 3",
        "1/0,       1048576, 4095",
    })
    void containingUsesThePreviousByte(String lsn, long segmentSize, long segno) {
        assertEquals(segno, WalFile.containing(Lsn.parse(lsn), 1, segmentSize).segno());
    }

    @Test
    void aFresh64MbClusterStartsInItsFirstFileAt4000000() {
        WalFile first = WalFile.containing(Lsn.parse("0/4000028"), 1, MB64);
        assertEquals("000000010000000000000001", first.name());
        assertEquals(Lsn.parse("0/4000000"), first.startLsn());
    }

    @Test
    void noFileHoldsLsnZero() {
        assertEquals("LSN 0/0 ends no WAL record: no WAL file holds it",
                assertThrows(IllegalArgumentException.class, () -> WalFile.containing(Lsn.ZERO, 1, MB16)).getMessage());
    }

    @Test
    void nameCarriesTheTimeline() {
        assertEquals("000000020000000900000039", WalFile.containing(Lsn.parse("9/E40000C8"), 2, MB64).name());
        assertEquals("0000001A0000000900000039", WalFile.containing(Lsn.parse("9/E40000C8"), 26, MB64).name());
        assertEquals("FFFFFFFF0000000000000000", new WalFile(-1, 0, MB16).name());
        assertEquals("000000010000000900000039", WalFile.containing(Lsn.parse("9/E40000C8"), 1, MB64).toString());
    }

    @ParameterizedTest
    @CsvSource({
        "000000010000000000000001, 16777216, 1, 1, 0/1000000",
        "0000000100000000000000FF, 16777216, 1, 255, 0/FF000000",
        "000000010000000100000000, 16777216, 1, 256, 1/0",
        "00000002000000FF000000FF, 16777216, 2, 65535, FF/FF000000",
        "00000001000000000000003F, 67108864, 1, 63, 0/FC000000",
        "000000030000000100000000, 67108864, 3, 64, 1/0",
        "00000001FFFFFFFF0000003F, 67108864, 1, 274877906943, FFFFFFFF/FC000000",
        "00000001FFFFFFFF00000FFF, 1048576, 1, 17592186044415, FFFFFFFF/FFF00000",
        "FFFFFFFF000000000000000A, 16777216, -1, 10, 0/A000000",
    })
    void parsesNamesBackIntoTheSameFile(String name, long segmentSize, int timeline, long segno, String start) {
        WalFile file = WalFile.parse(name, segmentSize);
        assertEquals(new WalFile(timeline, segno, segmentSize), file);
        assertEquals(name, file.name());
        assertEquals(Lsn.parse(start), file.startLsn());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00000001000000000000001", "0000000100000000000000011", "00000001000000000000000a",
        "00000001000000000000000G", "000000010000000000000001.partial", " 000000010000000000000001"})
    void rejectsMalformedNames(String name) {
        assertEquals("malformed WAL file name \"" + name + "\": expected 24 upper-case hex digits (timeline, log, segment)",
                assertThrows(IllegalArgumentException.class, () -> WalFile.parse(name, MB16)).getMessage());
    }

    @Test
    void rejectsNamesNoServerWouldWrite() {
        assertEquals("WAL file name \"000000000000000000000001\": timeline 0 is invalid",
                assertThrows(IllegalArgumentException.class, () -> WalFile.parse("000000000000000000000001", MB16)).getMessage());
        assertEquals("WAL file name \"000000010000000000000100\": segment part 00000100 is out of range for 16 MB segments (max 000000FF)",
                assertThrows(IllegalArgumentException.class, () -> WalFile.parse("000000010000000000000100", MB16)).getMessage());
        assertEquals("WAL file name \"000000010000000000000040\": segment part 00000040 is out of range for 64 MB segments (max 0000003F)",
                assertThrows(IllegalArgumentException.class, () -> WalFile.parse("000000010000000000000040", MB64)).getMessage());
        assertEquals("malformed WAL file name null: expected 24 upper-case hex digits (timeline, log, segment)",
                assertThrows(IllegalArgumentException.class, () -> WalFile.parse(null, MB16)).getMessage());
        assertEquals(0x40, WalFile.parse("000000010000000000000040", MB16).segno());
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 20, 1L << 21, 1L << 24, 1L << 26, 1L << 30})
    void acceptsEverySegmentSizeInitdbAllows(long bytes) {
        assertEquals(bytes, WalFile.checkSegmentSize(bytes));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, 1, 1L << 19, 1L << 31, 3L << 20, (1L << 24) + 1, Long.MIN_VALUE})
    void rejectsOtherSegmentSizesEverywhere(long bytes) {
        String message = "invalid WAL segment size " + bytes
                + " bytes: expected a power of two from 1 MB (1048576) to 1 GB (1073741824)";
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> WalFile.checkSegmentSize(bytes)).getMessage());
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> WalFile.containing(Lsn.parse("0/1"), 1, bytes)).getMessage());
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> WalFile.parse("000000010000000000000001", bytes)).getMessage());
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> new WalFile(1, 1, bytes)).getMessage());
    }

    @Test
    void rejectsImpossibleFiles() {
        assertEquals("timeline 0 is invalid: timelines start at 1",
                assertThrows(IllegalArgumentException.class, () -> new WalFile(0, 1, MB16)).getMessage());
        assertEquals("WAL segment number -1 is out of range for 16 MB segments (0..1099511627775)",
                assertThrows(IllegalArgumentException.class, () -> new WalFile(1, -1, MB16)).getMessage());
        assertEquals("WAL segment number 274877906944 is out of range for 64 MB segments (0..274877906943)",
                assertThrows(IllegalArgumentException.class, () -> new WalFile(1, 1L << 38, MB64)).getMessage());
    }

    @Test
    void nextCrossesTheRolloverAndStopsAtTheLastFile() {
        assertEquals("000000010000000100000000", WalFile.parse("0000000100000000000000FF", MB16).next().name());
        assertEquals("000000010000000100000000", WalFile.parse("00000001000000000000003F", MB64).next().name());
        assertEquals("000000020000000000000002", WalFile.parse("000000020000000000000001", MB64).next().name());
        WalFile last = WalFile.parse("00000001FFFFFFFF000000FF", MB16);
        assertEquals(Lsn.parse("FFFFFFFF/FF000000"), last.startLsn());
        assertThrows(IllegalArgumentException.class, last::next);
    }

    @Test
    void betweenListsEveryFileInclusive() {
        assertEquals(List.of("000000010000000000000002", "000000010000000000000003"),
                names(WalFile.between(Lsn.parse("0/2000028"), Lsn.parse("0/3016120"), 1, MB16)));
        assertEquals(List.of("000000010000000000000003"),
                names(WalFile.between(Lsn.parse("0/3016120"), Lsn.parse("0/3016120"), 1, MB16)));
        // the end of a switch record on a boundary needs no file past it
        assertEquals(List.of("000000010000000000000003", "000000010000000000000004"),
                names(WalFile.between(Lsn.parse("0/3000028"), Lsn.parse("0/5000000"), 1, MB16)));
        assertEquals(List.of("0000000100000000000000FE", "0000000100000000000000FF", "000000010000000100000000"),
                names(WalFile.between(Lsn.parse("0/FE000028"), Lsn.parse("1/100"), 1, MB16)));
        assertEquals(List.of("00000001000000000000003F", "000000010000000100000000", "000000010000000100000001"),
                names(WalFile.between(Lsn.parse("0/FC000028"), Lsn.parse("1/4000100"), 1, MB64)));
        assertEquals(List.of("00000001FFFFFFFF000000FF"),
                names(WalFile.between(Lsn.parse("FFFFFFFF/FF000028"), Lsn.parse("FFFFFFFF/FFFFFFFF"), 1, MB16)));
        assertEquals(257, WalFile.between(Lsn.parse("0/1"), Lsn.parse("1/1000000"), 1, MB16).size());
    }

    @Test
    void betweenRefusesABackwardsRange() {
        assertEquals("WAL range from 1/0 to 0/FFFFFFFF is backwards", assertThrows(IllegalArgumentException.class,
                () -> WalFile.between(Lsn.parse("1/0"), Lsn.parse("0/FFFFFFFF"), 1, MB16)).getMessage());
        assertEquals("WAL range from 80000000/0 to 7FFFFFFF/FFFFFFFF is backwards", assertThrows(IllegalArgumentException.class,
                () -> WalFile.between(Lsn.parse("80000000/0"), Lsn.parse("7FFFFFFF/FFFFFFFF"), 1, MB16)).getMessage());
    }

    @Test
    void betweenFollowsTheRealTimelineHistoryAcrossTwoSwitchesInOneSegment() {
        // 00000003.history: timeline 1 up to 0/5000000 (a boundary), timeline 2 up to 0/5000118, then 3
        TimelineHistory history = TimelineHistory.parse(3, PgSamples.read("timeline/00000003.history"));
        assertEquals(List.of("000000010000000000000003", "000000010000000000000004",
                        "000000030000000000000005", "000000030000000000000006"),
                names(WalFile.between(Lsn.parse("0/3000028"), Lsn.parse("0/6000100"), history, MB16)));
        // the same history with 64 MB segments: both switches fall in file 1 (0/4000000..), the child's
        assertEquals(List.of("000000010000000000000000", "000000030000000000000001"),
                names(WalFile.between(Lsn.parse("0/3000028"), Lsn.parse("0/6000100"), history, MB64)));
    }

    @Test
    void theSwitchPointsSegmentIsReadFromTheChildTimeline() {
        TimelineHistory midSegment = new TimelineHistory(2,
                List.of(new TimelineHistory.Entry(1, Lsn.parse("0/30000A0"), "no recovery target specified")));
        assertEquals(List.of("000000010000000000000001", "000000010000000000000002",
                        "000000020000000000000003", "000000020000000000000004"),
                names(WalFile.between(Lsn.parse("0/1000028"), Lsn.parse("0/5000000"), midSegment, MB16)));

        TimelineHistory onBoundary = new TimelineHistory(2,
                List.of(new TimelineHistory.Entry(1, Lsn.parse("0/3000000"), "")));
        assertEquals(List.of("000000010000000000000002", "000000020000000000000003"),
                names(WalFile.between(Lsn.parse("0/2000028"), Lsn.parse("0/3000100"), onBoundary, MB16)));

        TimelineHistory acrossRollover = new TimelineHistory(5, List.of(
                new TimelineHistory.Entry(1, Lsn.parse("0/FF000100"), ""),
                new TimelineHistory.Entry(4, Lsn.parse("1/1000100"), "")));
        assertEquals(List.of("0000000100000000000000FE", "0000000400000000000000FF", "000000040000000100000000",
                        "000000050000000100000001", "000000050000000100000002"),
                names(WalFile.between(Lsn.parse("0/FE000028"), Lsn.parse("1/2000100"), acrossRollover, MB16)));
    }

    @Test
    void betweenWithoutHistoryIsTheSingleTimelineList() {
        assertEquals(WalFile.between(Lsn.parse("0/2000028"), Lsn.parse("3/1"), 7, MB64),
                WalFile.between(Lsn.parse("0/2000028"), Lsn.parse("3/1"), new TimelineHistory(7, List.of()), MB64));
    }

    @ParameterizedTest
    @CsvSource({
        "000000010000000000000001, SEGMENT",
        "00000002FFFFFFFF000000FF, SEGMENT",
        "000000010000000000000005.partial, PARTIAL",
        "00000002.history, HISTORY",
        "0000001A.history, HISTORY",
        "000000010000000000000002.00000028.backup, BACKUP_HISTORY",
    })
    void classifiesArchiveNames(String name, WalFile.Kind kind) {
        assertEquals(Optional.of(kind), WalFile.kindOf(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00000001000000000000000a", "000000010000000000000001.tmp", "00000001000000000000001",
        "0000002.history", "00000002.history.tmp", "0000000a.history", "000000010000000000000002.0028.backup",
        "000000010000000000000002.00000028.backup.gz", "000000010000000000000005.PARTIAL", "archive_status",
        "LATEST.json", ".000000010000000000000001.tmp"})
    void classifiesNothingElse(String name) {
        assertEquals(Optional.empty(), WalFile.kindOf(name));
    }

    @Test
    void theRealBackupHistoryFileIsNamedAfterTheBackupStart() {
        BackupHistory history = BackupHistory.parse(PgSamples.read("backup/000000010000000000000002.00000028.backup"));
        WalFile start = WalFile.containing(history.startWal(), history.startTimeline(), MB16);
        String name = String.format("%s.%08X.backup", start.name(), history.startWal().minus(start.startLsn()));
        assertEquals("000000010000000000000002.00000028.backup", name);
        assertEquals(Optional.of(WalFile.Kind.BACKUP_HISTORY), WalFile.kindOf(name));
    }

    private static List<String> names(List<WalFile> files) {
        return files.stream().map(WalFile::name).toList();
    }
}
