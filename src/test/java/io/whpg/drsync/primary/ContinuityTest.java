package io.whpg.drsync.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.TimelineHistory;
import io.whpg.drsync.state.SegmentPoint;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContinuityTest {
    private static final long SEG = 16L << 20;

    private static SegmentPoint previous(String lsn, int timeline) {
        return new SegmentPoint(1, Lsn.parse(lsn), timeline, "x", "7712620026465536620", "h", 1);
    }

    @Test
    void withoutAPreviousPointOnlyThePointsOwnFiles() {
        // a switch ends on the segment boundary: the next file is not needed
        assertEquals(List.of("000000010000000000000007"),
                Continuity.files(null, Lsn.parse("0/70000C8"), Lsn.parse("0/8000000"), 1, null, SEG).files());
    }

    @Test
    void fromThePreviousPointsFileThroughTheSwitch() {
        Continuity.Range r = Continuity.files(previous("0/30000C8", 1), Lsn.parse("0/70000C8"), Lsn.parse("0/8000000"), 1, null, SEG);
        assertEquals(List.of("000000010000000000000003", "000000010000000000000004", "000000010000000000000005",
                "000000010000000000000006", "000000010000000000000007"), r.files());
        assertEquals(Optional.empty(), r.note());
    }

    @Test
    void aTimelineChangeIsFollowedThroughItsHistoryFile() {
        SegmentPoint prev = previous("0/30000C8", 1);
        assertEquals(Optional.of("00000002.history"), Continuity.historyNeeded(prev, 2));
        assertEquals(List.of("00000002.history"),
                Continuity.files(prev, Lsn.parse("0/70000C8"), Lsn.parse("0/7000100"), 2, null, SEG).files(),
                "the history file not yet read: it is what is missing");
        TimelineHistory h = TimelineHistory.parse(2, "1\t0/5000100\tno recovery target specified\n");
        assertEquals(List.of("00000002.history", "000000010000000000000003", "000000010000000000000004",
                        "000000020000000000000005", "000000020000000000000006", "000000020000000000000007"),
                Continuity.files(prev, Lsn.parse("0/70000C8"), Lsn.parse("0/7000100"), 2, h, SEG).files());
    }

    @Test
    void anAbsurdlyOldPreviousPointIsBoundedAndSaysSo() {
        Continuity.Range r = Continuity.files(previous("0/30000C8", 1), Lsn.parse("FFF/70000C8"), Lsn.parse("FFF/8000000"),
                1, null, SEG);
        assertEquals(Continuity.MAX_FILES, r.files().size());
        assertEquals("0000000100000FFF00000007", r.files().get(r.files().size() - 1));
        assertTrue(r.note().orElseThrow().startsWith("the previous READY point 0/30000C8 is "), r.note().get());
        assertTrue(r.note().get().contains("continuity checked for the last 10000 only"), r.note().get());
    }

    @Test
    void reportedComparesTimelineAndSegmentNumberNotText() {
        assertTrue(Continuity.reported("00000001000000000000000A", "000000010000000000000009", SEG));
        assertFalse(Continuity.reported("000000010000000000000009", "00000001000000000000000A", SEG));
        assertTrue(Continuity.reported("000000020000000000000001", "0000000100000000000000FF", SEG));
        assertFalse(Continuity.reported("0000000100000000000000FF", "000000020000000000000001", SEG));
        assertFalse(Continuity.reported("00000002.history", "000000010000000000000001", SEG));
        assertFalse(Continuity.reported(null, "000000010000000000000001", SEG));
    }

    @Test
    void whyNamesArchivingOffOrAFailingCommandFirst() {
        ArchiverStatus s = new ArchiverStatus(1, "000000010000000000000006", "t", "000000010000000000000007");
        InstanceCheck failing = new InstanceCheck(SEG, "on", "/bin/false", 4, "000000010000000000000007", "T",
                "000000010000000000000006", true);
        assertEquals("archive_command failing (failed_count 4, last_failed_wal 000000010000000000000007 at T; last archived"
                + " 000000010000000000000006)", Continuity.why("000000010000000000000007", false, s, failing, SEG));
        InstanceCheck off = new InstanceCheck(SEG, "off", "cp", 0, null, null, null, false);
        assertEquals("archive_mode is off", Continuity.why("000000010000000000000007", false, s, off, SEG));
        assertEquals("not yet archived (the archiver has reached 000000010000000000000006)",
                Continuity.why("000000010000000000000007", false, s, null, SEG));
    }
}
