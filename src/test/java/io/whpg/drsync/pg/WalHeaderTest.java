package io.whpg.drsync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WalHeaderTest {
    static final long SEG = 16L << 20;

    /** A PostgreSQL 15 long page header as the server writes it at the start of a segment. */
    static byte[] header(int magic, int info, long pageAddress, long sysid, int segSize) {
        ByteBuffer b = ByteBuffer.allocate(WalHeader.LONG_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) magic).putShort(2, (short) info).putInt(4, 1).putLong(8, pageAddress)
                .putLong(24, sysid).putInt(32, segSize).putInt(36, 8192);
        return b.array();
    }

    @Test
    void theSegmentsOwnStartPasses() {
        assertEquals(Optional.empty(), WalHeader.problem("000000010000000000000004",
                header(0xD110, 0x0006, 0x4000000L, 7400000000000000001L, (int) SEG), SEG, "7400000000000000001"));
    }

    @Test
    void anotherSegmentUnderThisNameIsNamed() {
        assertEquals(Optional.of("its first page is at 0/5000000, not 0/4000000 as its name says (another or a recycled"
                + " segment under this name)"), WalHeader.problem("000000010000000000000004",
                header(0xD110, 0x0002, 0x5000000L, 1, (int) SEG), SEG, "1"));
    }

    @Test
    void zerosForeignSystemsAndOtherSizesAreRefused() {
        assertTrue(WalHeader.problem("000000010000000000000004", new byte[40], SEG, "1").orElseThrow()
                .startsWith("its first page is not a WAL segment start (magic 0x0"));
        assertEquals(Optional.of("WAL of database system 2, not 1"), WalHeader.problem("000000010000000000000004",
                header(0xD110, 0x0002, 0x4000000L, 2, (int) SEG), SEG, "1"));
        assertEquals(Optional.of("segment size 67108864 in its header, not 16777216"), WalHeader.problem(
                "000000010000000000000004", header(0xD110, 0x0002, 0x4000000L, 1, 64 << 20), SEG, "1"));
        assertEquals(Optional.of("only 10 bytes: not a WAL segment"),
                WalHeader.problem("000000010000000000000004", new byte[10], SEG, "1"));
    }
}
