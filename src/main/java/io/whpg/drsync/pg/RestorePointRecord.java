package io.whpg.drsync.pg;

import static io.whpg.drsync.pg.WalFormat.LONG_PAGE_HEADER;
import static io.whpg.drsync.pg.WalFormat.MAXALIGN;
import static io.whpg.drsync.pg.WalFormat.RECORD_HEADER;
import static io.whpg.drsync.pg.WalFormat.RM_XLOG_ID;
import static io.whpg.drsync.pg.WalFormat.SHORT_PAGE_HEADER;
import static io.whpg.drsync.pg.WalFormat.XLR_INFO_MASK;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Proves from the WAL bytes alone that a restore LSN is the end of the RESTORE_POINT record a restore point
 * made, with that name: reads only the page(s) around the LSN (through {@link Pages}, e.g. byte ranges of
 * archived WAL files) and checks the page headers (magic, page address, system identifier, segment and block
 * size from the segment's long header: 8 KB on PostgreSQL 15, 32 KB on Greenplum 7), the XLogRecord header
 * ({@code xl_tot_len}, resource manager XLOG, info XLOG_RESTORE_POINT), its CRC-32C, and the name in
 * {@code xl_restore_point}. A record that crosses a page or segment boundary is followed across it.
 */
public final class RestorePointRecord {
    /** Reads {@code length} bytes at {@code offset} of one WAL segment file; fewer when the file is shorter. */
    @FunctionalInterface
    public interface Pages {
        byte[] read(String walFileName, long offset, int length);
    }

    private static final int XLOG_RESTORE_POINT = 0x70;
    private static final int XLR_BLOCK_ID_DATA_SHORT = 255;
    /** xl_restore_point: TimestampTz rp_time, char rp_name[MAXFNAMELEN = 64]. */
    private static final int RESTORE_POINT_DATA = 8 + 64;
    /** The record as XLogRegisterData makes it: header, short data block header (id, length), the struct. */
    static final int TOTAL_LENGTH = RECORD_HEADER + 2 + RESTORE_POINT_DATA;

    private RestorePointRecord() {
    }

    /**
     * Throws {@link IllegalArgumentException} naming what is wrong unless the record that ends at {@code end} on
     * {@code timeline} is a RESTORE_POINT named {@code name} of the system {@code systemIdentifier}.
     */
    public static void verify(Lsn end, int timeline, long segmentSize, String name, String systemIdentifier, Pages pages) {
        WalFile endFile = WalFile.containing(end, timeline, segmentSize);
        ByteBuffer first = page(pages, endFile, 0, LONG_PAGE_HEADER);
        checkMagic(first, endFile, 0);
        long sysid = first.getLong(24);
        int segSize = first.getInt(32);
        int blockSize = first.getInt(36);
        if (!Long.toUnsignedString(sysid).equals(systemIdentifier)) {
            throw new IllegalArgumentException(endFile.name() + ": WAL of database system " + Long.toUnsignedString(sysid)
                    + ", not " + systemIdentifier);
        }
        if (segSize != segmentSize || blockSize < 1024 || Integer.bitCount(blockSize) != 1 || blockSize > segSize) {
            throw new IllegalArgumentException(endFile.name() + ": segment size " + segSize + " / block size " + blockSize
                    + " in its long page header do not fit a " + segmentSize + "-byte segment");
        }
        long start = startOf(end.value(), TOTAL_LENGTH + (MAXALIGN - TOTAL_LENGTH % MAXALIGN) % MAXALIGN, blockSize, segmentSize);
        byte[] record = gather(pages, start, TOTAL_LENGTH, timeline, blockSize, segmentSize);
        ByteBuffer r = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        String at = "the record ending at " + end + " (starting at " + Lsn.of(start) + ")";
        int totLen = r.getInt(0);
        int info = r.get(16) & 0xFF;
        int rmid = r.get(17) & 0xFF;
        if (totLen != TOTAL_LENGTH || rmid != RM_XLOG_ID || (info & ~XLR_INFO_MASK) != XLOG_RESTORE_POINT) {
            throw new IllegalArgumentException(at + " is not a RESTORE_POINT (resource manager " + rmid + ", info 0x"
                    + Integer.toHexString(info) + ", length " + Integer.toUnsignedString(totLen) + ")");
        }
        if (!WalFormat.crcMatches(record, 0, TOTAL_LENGTH)) {
            throw new IllegalArgumentException(at + ": CRC-32C mismatch (a torn or forged record)");
        }
        if ((record[RECORD_HEADER] & 0xFF) != XLR_BLOCK_ID_DATA_SHORT || (record[RECORD_HEADER + 1] & 0xFF) != RESTORE_POINT_DATA) {
            throw new IllegalArgumentException(at + ": RESTORE_POINT without its xl_restore_point data");
        }
        int nameAt = RECORD_HEADER + 2 + 8;
        int len = 0;
        while (len < 64 && record[nameAt + len] != 0) {
            len++;
        }
        String recorded = new String(record, nameAt, len, StandardCharsets.UTF_8);
        if (!recorded.equals(name)) {
            throw new IllegalArgumentException(at + " is the restore point " + Fields.quoted(recorded) + ", not " + name);
        }
    }

    /** Where a record of {@code alignedLength} bytes ending at {@code end} starts, page headers in between skipped. */
    static long startOf(long end, int alignedLength, int blockSize, long segmentSize) {
        long pos = end;
        long remaining = alignedLength;
        while (true) {
            long pageStart = Math.floorDiv(pos - 1, (long) blockSize) * blockSize;
            long usableFrom = pageStart + headerSize(pageStart, segmentSize);
            long take = Math.min(remaining, pos - usableFrom);
            if (take < 0) {
                throw new IllegalArgumentException(Lsn.of(end) + " lies inside a WAL page header: no record ends there");
            }
            pos -= take;
            remaining -= take;
            if (remaining == 0) {
                return pos;
            }
            pos = pageStart;
        }
    }

    /** {@code length} record bytes from {@code start} on, skipping (and checking) the page headers they cross. */
    private static byte[] gather(Pages pages, long start, int length, int timeline, int blockSize, long segmentSize) {
        byte[] out = new byte[length];
        int got = 0;
        long pos = start;
        while (got < length) {
            long pageStart = Math.floorDiv(pos, (long) blockSize) * blockSize;
            int hdr = headerSize(pageStart, segmentSize);
            if (pos < pageStart + hdr) {
                pos = pageStart + hdr;
            }
            int take = (int) Math.min(length - got, pageStart + blockSize - pos);
            WalFile file = new WalFile(timeline, Long.divideUnsigned(pageStart, segmentSize), segmentSize);
            long offset = Long.remainderUnsigned(pageStart, segmentSize);
            ByteBuffer page = page(pages, file, offset, (int) (pos - pageStart) + take);
            checkMagic(page, file, offset);
            if (page.getLong(8) != pageStart) {
                throw new IllegalArgumentException(file.name() + " at offset " + offset + ": page address "
                        + Lsn.of(page.getLong(8)) + ", expected " + Lsn.of(pageStart) + " (a recycled or foreign file)");
            }
            page.position((int) (pos - pageStart));
            page.get(out, got, take);
            got += take;
            pos += take;
        }
        return out;
    }

    private static int headerSize(long pageStart, long segmentSize) {
        return Long.remainderUnsigned(pageStart, segmentSize) == 0 ? LONG_PAGE_HEADER : SHORT_PAGE_HEADER;
    }

    private static ByteBuffer page(Pages pages, WalFile file, long offset, int length) {
        byte[] b = pages.read(file.name(), offset, length);
        if (b == null || b.length < length) {
            throw new IllegalArgumentException(file.name() + ": " + (b == null ? 0 : b.length) + " bytes at offset " + offset
                    + ", expected " + length + " (a short or partial WAL file)");
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** xlp_magic differs per major version (PG12 0xD101, PG15 0xD110): a WAL page has one, and xlp_info few bits. */
    private static void checkMagic(ByteBuffer page, WalFile file, long offset) {
        int magic = page.getShort(0) & 0xFFFF;
        int info = page.getShort(2) & 0xFFFF;
        if (!WalFormat.isPageMagic(magic) || (info & ~0x0007) != 0) {
            throw new IllegalArgumentException(file.name() + " at offset " + offset + ": not a WAL page (magic 0x"
                    + Integer.toHexString(magic) + "): compressed or not WAL");
        }
    }
}
