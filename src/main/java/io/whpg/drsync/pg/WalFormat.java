package io.whpg.drsync.pg;

import java.util.zip.CRC32C;

/**
 * The parts of PostgreSQL's WAL format the tool reads itself ({@code access/xlog_internal.h},
 * {@code access/xlogrecord.h}; the same in PostgreSQL 12 and 15), shared by its WAL readers.
 */
final class WalFormat {
    static final int SHORT_PAGE_HEADER = 24;
    /** The long page header: magic, info, timeline, page address, remaining length, system id, seg size, block size. */
    static final int LONG_PAGE_HEADER = 40;
    /** XLogRecord: total length, xid, prev, info, rmid, 2 bytes padding, CRC-32C. */
    static final int RECORD_HEADER = 24;
    static final int MAXALIGN = 8;
    static final int RM_XLOG_ID = 0;
    static final int XLR_INFO_MASK = 0x0F;
    private static final int CRC_OFFSET = 20;

    private WalFormat() {
    }

    /** xlp_magic differs per major version (PG12 0xD101, PG15 0xD110); its high byte does not. */
    static boolean isPageMagic(int magic) {
        return (magic & 0xFF00) == 0xD100;
    }

    /** Whether the record of {@code totalLength} bytes at {@code pos} carries its own CRC-32C (data first, then the header). */
    static boolean crcMatches(byte[] buf, int pos, int totalLength) {
        CRC32C crc = new CRC32C();
        crc.update(buf, pos + RECORD_HEADER, totalLength - RECORD_HEADER);
        crc.update(buf, pos, CRC_OFFSET);
        int stored = (buf[pos + CRC_OFFSET] & 0xFF) | (buf[pos + CRC_OFFSET + 1] & 0xFF) << 8
                | (buf[pos + CRC_OFFSET + 2] & 0xFF) << 16 | (buf[pos + CRC_OFFSET + 3] & 0xFF) << 24;
        return (int) crc.getValue() == stored;
    }
}
