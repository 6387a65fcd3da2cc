package io.whpg.drsync.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.state.SegmentPoint;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The idle rule on WAL captured from the real Greenplum 7 lab (content 0, 64 MB segments, 32 KB pages): after the
 * point whose restore LSN is 0/14019180 and WAL switch 0/14019198, the next segment 0/18000000 held, while idle,
 * two RUNNING_XACTS and a CHECKPOINT_ONLINE (through 0/18000110); after one INSERT, a heap record and a commit
 * (through 0/180002D8), as pg_waldump showed.
 */
class IdleRuleTest {
    private static final long SEG = 64L << 20;
    private static final String SYSID = "7715823655714613734";
    private static final SegmentPoint PREVIOUS = new SegmentPoint(0, Lsn.parse("0/14019180"), 1, "000000010000000000000005",
            SYSID, "127.0.0.1", 7252);
    private static final Lsn SWITCH = Lsn.parse("0/14019198");
    private static final String FILE = "000000010000000000000006";

    private static byte[] wal(String name) throws IOException {
        try (InputStream in = IdleRuleTest.class.getResourceAsStream("/wal/" + name)) {
            return in.readAllBytes();
        }
    }

    private static Optional<String> why(String insert, byte[] head) {
        return IdleRule.whyChanged(PREVIOUS, SWITCH, new IdleRule.Probe(Lsn.parse(insert), Lsn.parse(insert), FILE, SYSID, head), SEG);
    }

    @Test
    void nothingWrittenIntoTheNextSegmentIsUnchangedEvenBeforeItsFileExists() {
        assertEquals(Optional.empty(), why("0/18000028", null));
    }

    @Test
    void runningXactsAndATimedCheckpointAreUnchanged() throws IOException {
        assertEquals(Optional.empty(), why("0/18000110", wal("gp7-idle-0-18000000.bin")));
        assertEquals(Optional.empty(), why("0/18000060", wal("gp7-idle-0-18000000.bin")));
    }

    @Test
    void anInsertIsAChangeNamingItsRecord() throws IOException {
        String why = why("0/180002D8", wal("gp7-data-0-18000000.bin")).orElseThrow();
        assertEquals("data written at 0/18000110 (resource manager 10, info 0x0, xid 525)", why);
    }

    @Test
    void anInsertPositionBetweenRecordsOrPastTheBytesIsAChange() throws IOException {
        assertTrue(why("0/18000080", wal("gp7-idle-0-18000000.bin")).orElseThrow().contains("does not end by 0/18000080"));
        assertTrue(why("0/18000118", wal("gp7-idle-0-18000000.bin")).orElseThrow().startsWith("only 272 bytes"));
    }

    @Test
    void aTornRecordFailsItsCrc() throws IOException {
        byte[] torn = wal("gp7-idle-0-18000000.bin");
        torn[0x98 + 40] ^= 1;
        assertTrue(why("0/18000110", torn).orElseThrow().contains("fails its CRC-32C"));
    }

    @Test
    void anotherSystemOrTimelineOrPageAddressIsAChange() throws IOException {
        byte[] idle = wal("gp7-idle-0-18000000.bin");
        assertTrue(IdleRule.whyChanged(PREVIOUS, SWITCH, new IdleRule.Probe(Lsn.parse("0/18000110"), Lsn.parse("0/18000110"),
                FILE, "1", idle), SEG).orElseThrow().startsWith("system identifier 1"));
        assertTrue(IdleRule.whyChanged(PREVIOUS, SWITCH, new IdleRule.Probe(Lsn.parse("0/18000110"), Lsn.parse("0/18000110"),
                "000000020000000000000006", SYSID, idle), SEG).orElseThrow().startsWith("timeline 2"));
        byte[] moved = Arrays.copyOf(idle, idle.length);
        moved[11] ^= 1;
        assertTrue(why("0/18000110", moved).orElseThrow().contains("does not start with this server's long page header"));
    }

    @Test
    void walBetweenTheRestorePointAndItsSwitchIsAChangeTheDrAtThatPointLacks() {
        String why = IdleRule.whyChanged(PREVIOUS, Lsn.parse("0/140191D0"), new IdleRule.Probe(Lsn.parse("0/18000028"),
                Lsn.parse("0/18000028"), FILE, SYSID, null), SEG).orElseThrow();
        assertEquals("WAL was written between the previous restore point 0/14019180 and its WAL switch (ending 0/140191D0)", why);
    }

    @Test
    void noSwitchNoPreviousPointUnflushedOrALaterSegmentIsAChange() throws IOException {
        IdleRule.Probe nothing = new IdleRule.Probe(Lsn.parse("0/18000028"), Lsn.parse("0/18000028"), FILE, SYSID, null);
        assertTrue(IdleRule.whyChanged(PREVIOUS, null, nothing, SEG).orElseThrow().contains("switched no WAL"));
        assertTrue(IdleRule.whyChanged(null, SWITCH, nothing, SEG).isPresent());
        assertTrue(IdleRule.whyChanged(PREVIOUS, SWITCH, new IdleRule.Probe(Lsn.parse("0/18000110"), Lsn.parse("0/18000060"),
                FILE, SYSID, wal("gp7-idle-0-18000000.bin")), SEG).orElseThrow().contains("flushed only to 0/18000060"));
        assertTrue(IdleRule.whyChanged(PREVIOUS, SWITCH, new IdleRule.Probe(Lsn.parse("0/1C000028"), Lsn.parse("0/1C000028"),
                "000000010000000000000007", SYSID, null), SEG).orElseThrow().contains("past the segment after the previous point"));
    }
}
