package io.whpg.drsync.pg;

import static io.whpg.drsync.pg.WalFormat.LONG_PAGE_HEADER;
import static io.whpg.drsync.pg.WalFormat.MAXALIGN;
import static io.whpg.drsync.pg.WalFormat.RECORD_HEADER;
import static io.whpg.drsync.pg.WalFormat.RM_XLOG_ID;
import static io.whpg.drsync.pg.WalFormat.XLR_INFO_MASK;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Whether the WAL an idle server wrote into a segment's first page holds only records that change no data:
 * RUNNING_XACTS (the bgwriter's standby snapshot, every 15 s after other WAL) and CHECKPOINT (a timed
 * checkpoint, running_xacts before it), none of them in a transaction (xid 0). Checked from the bytes alone:
 * the long page header (page address, system identifier, timeline, segment size), each record's length, xid,
 * resource manager, info and CRC-32C, and that the records end exactly at the insert position. Anything else,
 * or WAL past the first page, is "not idle": the rule may only err towards publishing a point.
 */
public final class BackgroundWal {
    private static final int RM_STANDBY_ID = 8;
    private static final int XLOG_CHECKPOINT_SHUTDOWN = 0x00;
    private static final int XLOG_CHECKPOINT_ONLINE = 0x10;
    private static final int XLOG_RUNNING_XACTS = 0x10;

    private BackgroundWal() {
    }

    /**
     * Empty when the WAL from {@code segmentStart} (a segment boundary) to {@code insert} holds only background
     * records, else why not. {@code head} is the segment file's first bytes (at least through {@code insert}).
     */
    public static Optional<String> whyNotBackground(byte[] head, Lsn segmentStart, Lsn insert, int timeline,
            String systemIdentifier, long segmentSize) {
        long end = insert.minus(segmentStart);
        if (end < LONG_PAGE_HEADER) {
            return Optional.of("insert position " + insert + " is not past the header of the segment at " + segmentStart);
        }
        if (head == null || head.length < end) {
            return Optional.of("only " + (head == null ? 0 : head.length) + " bytes of the segment at " + segmentStart
                    + " could be read, " + end + " needed");
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getShort(0) & 0xFFFF;
        int pageTimeline = b.getInt(4);
        long pageAddress = b.getLong(8);
        int blockSize = b.getInt(36);
        if (!WalFormat.isPageMagic(magic) || pageAddress != segmentStart.value() || pageTimeline != timeline
                || !Long.toUnsignedString(b.getLong(24)).equals(systemIdentifier) || b.getInt(32) != segmentSize) {
            return Optional.of("the segment at " + segmentStart + " does not start with this server's long page header"
                    + " (timeline " + timeline + ", system " + systemIdentifier + ")");
        }
        if (blockSize < 1024 || end > blockSize) {
            return Optional.of(end + " bytes written since " + segmentStart + " (more than its first " + blockSize + "-byte page)");
        }
        long pos = LONG_PAGE_HEADER;
        while (pos < end) {
            Lsn at = segmentStart.plus(pos);
            if (end - pos < RECORD_HEADER) {
                return Optional.of("a partial record at " + at);
            }
            long totLen = Integer.toUnsignedLong(b.getInt((int) pos));
            int xid = b.getInt((int) pos + 4);
            int info = b.get((int) pos + 16) & 0xFF & ~XLR_INFO_MASK;
            int rmid = b.get((int) pos + 17) & 0xFF;
            if (totLen < RECORD_HEADER || pos + totLen > end) {
                return Optional.of("a record at " + at + " of length " + totLen + " does not end by " + insert);
            }
            if (!background(rmid, info) || xid != 0) {
                return Optional.of("data written at " + at + " (resource manager " + rmid + ", info 0x"
                        + Integer.toHexString(info) + ", xid " + Integer.toUnsignedString(xid) + ")");
            }
            if (!WalFormat.crcMatches(head, (int) pos, (int) totLen)) {
                return Optional.of("the record at " + at + " fails its CRC-32C (not yet written through, or torn)");
            }
            pos += (totLen + MAXALIGN - 1) / MAXALIGN * MAXALIGN;
        }
        return pos == end ? Optional.empty() : Optional.of("records end at " + segmentStart.plus(pos) + ", not at " + insert);
    }

    private static boolean background(int rmid, int info) {
        return rmid == RM_STANDBY_ID && info == XLOG_RUNNING_XACTS
                || rmid == RM_XLOG_ID && (info == XLOG_CHECKPOINT_ONLINE || info == XLOG_CHECKPOINT_SHUTDOWN);
    }
}
