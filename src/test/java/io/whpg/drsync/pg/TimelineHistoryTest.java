package io.whpg.drsync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimelineHistoryTest {

    @Test
    void parsesARealPromotionHistory() {
        TimelineHistory history = TimelineHistory.parse(2, PgSamples.read("timeline/00000002.history"));
        assertEquals(2, history.timeline());
        assertEquals(List.of(new TimelineHistory.Entry(1, Lsn.parse("0/5000000"), "no recovery target specified")),
                history.entries());
    }

    @Test
    void parsesARealTwoLevelHistoryWithItsBlankLine() {
        TimelineHistory history = TimelineHistory.parse(3, PgSamples.read("timeline/00000003.history"));
        assertEquals(List.of(
                new TimelineHistory.Entry(1, Lsn.parse("0/5000000"), "no recovery target specified"),
                new TimelineHistory.Entry(2, Lsn.parse("0/5000118"), "no recovery target specified")),
                history.entries());
    }

    @ParameterizedTest
    @CsvSource({
        "0/1, 1",
        "0/4FFFFFF, 1",
        "0/5000000, 2",
        "0/5000117, 2",
        "0/5000118, 3",
        "1/0, 3",
        "FFFFFFFF/FFFFFFFF, 3",
    })
    void aSwitchPointBelongsToTheNewerTimeline(String lsn, int timeline) {
        TimelineHistory history = TimelineHistory.parse(3, PgSamples.read("timeline/00000003.history"));
        assertEquals(timeline, history.timelineAt(Lsn.parse(lsn)));
    }

    @Test
    void timelineOneHasNoAncestors() {
        TimelineHistory first = new TimelineHistory(1, List.of());
        assertEquals(1, first.timelineAt(Lsn.ZERO));
        assertEquals(1, first.timelineAt(Lsn.parse("FFFFFFFF/FFFFFFFF")));
        assertEquals(first, TimelineHistory.parse(1, ""));
    }

    @Test
    void comparesSwitchPointsUnsigned() {
        TimelineHistory history = TimelineHistory.parse(2, "1\t80000000/0\treason\n");
        assertEquals(1, history.timelineAt(Lsn.parse("7FFFFFFF/FFFFFFFF")));
        assertEquals(2, history.timelineAt(Lsn.parse("80000000/0")));
    }

    @Test
    void skipsCommentsBlankLinesAndToleratesSpacesCrLfAndNoReason() {
        String content = "# made by hand\r\n\r\n  1 0/3000158\tbefore 2000-01-01 00:00:00+00\r\n"
                + "\t# indented comment\n3\t1/A0\n";
        TimelineHistory history = TimelineHistory.parse(4, content);
        assertEquals(List.of(
                new TimelineHistory.Entry(1, Lsn.parse("0/3000158"), "before 2000-01-01 00:00:00+00"),
                new TimelineHistory.Entry(3, Lsn.parse("1/A0"), "")),
                history.entries());
    }

    @Test
    void namesHistoryFilesLikePostgres() {
        assertEquals("00000002.history", TimelineHistory.fileName(2));
        assertEquals("0000001A.history", TimelineHistory.fileName(26));
        assertEquals("FFFFFFFF.history", TimelineHistory.fileName(-1));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "x\t0/1\treason | 00000003.history line 2: expected a numeric parent timeline, got \"x\"",
        "-1\t0/1\treason | 00000003.history line 2: expected a numeric parent timeline, got \"-1\"",
        "1 | 00000003.history line 2: expected \"<parent timeline><TAB><switch point LSN><TAB><reason>\", got \"1\"",
        "1\t0/XYZ\treason | 00000003.history line 2: switch point: malformed LSN \"0/XYZ\": expected X/Y in hex",
        "0\t0/1\treason | 00000003.history line 2: parent timeline 0 is invalid",
        "3\t0/1\treason | 00000003.history line 2: parent timeline 3 is not below timeline 3",
        "4\t0/1\treason | 00000003.history line 2: parent timeline 4 is not below timeline 3",
    })
    void namesTheLineOfABadEntry(String line, String message) {
        String content = "# comment\n" + line + "\n";
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> TimelineHistory.parse(3, content)).getMessage());
    }

    @Test
    void refusesAncestryOutOfOrder() {
        assertEquals("00000004.history line 2: parent timeline 2 does not increase (previous 2)",
                assertThrows(IllegalArgumentException.class,
                        () -> TimelineHistory.parse(4, "2\t0/1\ta\n2\t0/2\tb\n")).getMessage());
        assertEquals("00000004.history line 3: parent timeline 1 does not increase (previous 2)",
                assertThrows(IllegalArgumentException.class,
                        () -> TimelineHistory.parse(4, "2\t0/1\ta\n\n1\t0/2\tb\n")).getMessage());
        assertEquals("00000004.history line 2: switch point 0/1 is before the previous one, 1/0",
                assertThrows(IllegalArgumentException.class,
                        () -> TimelineHistory.parse(4, "1\t1/0\ta\n2\t0/1\tb\n")).getMessage());
        assertEquals("history of timeline 4, entry 2: parent timeline 1 does not increase (previous 2)",
                assertThrows(IllegalArgumentException.class, () -> new TimelineHistory(4, List.of(
                        new TimelineHistory.Entry(2, Lsn.parse("0/1"), ""),
                        new TimelineHistory.Entry(1, Lsn.parse("0/2"), "")))).getMessage());
        assertEquals("timeline 0 is invalid: timelines start at 1",
                assertThrows(IllegalArgumentException.class, () -> new TimelineHistory(0, List.of())).getMessage());
    }
}
