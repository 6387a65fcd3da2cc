package io.whpg.drsync.pg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The first page header of an archived WAL segment, checked before a DR instance may replay it: a WAL page (magic),
 * with the long header, at the address its name says (a file of another segment under this name, or a recycled one,
 * has another), of the expected database system and segment size. The rest of the file is left to PostgreSQL's
 * record checksums during replay.
 */
public final class WalHeader {
    /** The long page header's size: what a check of a segment's start reads. */
    public static final int LONG_HEADER = WalFormat.LONG_PAGE_HEADER;
    private static final int XLP_LONG_HEADER = 0x0002;

    private WalHeader() {
    }

    /** Why {@code header} (the file's first bytes) is not the start of segment {@code fileName}; empty when it is. */
    public static Optional<String> problem(String fileName, byte[] header, long segmentSize, String systemIdentifier) {
        WalFile file = WalFile.parse(fileName, segmentSize);
        if (header.length < LONG_HEADER) {
            return Optional.of("only " + header.length + " bytes: not a WAL segment");
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getShort(0) & 0xFFFF;
        int info = b.getShort(2) & 0xFFFF;
        if (!WalFormat.isPageMagic(magic) || (info & XLP_LONG_HEADER) == 0) {
            return Optional.of("its first page is not a WAL segment start (magic 0x" + Integer.toHexString(magic)
                    + ", info 0x" + Integer.toHexString(info) + "): corrupt, compressed or not WAL");
        }
        long pageAddress = b.getLong(8);
        if (pageAddress != file.startLsn().value()) {
            return Optional.of("its first page is at " + Lsn.of(pageAddress) + ", not " + file.startLsn()
                    + " as its name says (another or a recycled segment under this name)");
        }
        String sysid = Long.toUnsignedString(b.getLong(24));
        if (systemIdentifier != null && !sysid.equals(systemIdentifier)) {
            return Optional.of("WAL of database system " + sysid + ", not " + systemIdentifier);
        }
        if (Integer.toUnsignedLong(b.getInt(32)) != segmentSize) {
            return Optional.of("segment size " + Integer.toUnsignedString(b.getInt(32)) + " in its header, not " + segmentSize);
        }
        return Optional.empty();
    }
}
