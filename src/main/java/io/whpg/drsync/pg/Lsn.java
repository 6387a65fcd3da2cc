package io.whpg.drsync.pg;

import java.util.regex.Pattern;

/**
 * A WAL position (PostgreSQL {@code pg_lsn}): an unsigned 64-bit byte offset, written {@code X/Y} in hex.
 * Like pgjdbc's LogSequenceNumber, but malformed text is an error rather than an INVALID value.
 */
public final class Lsn implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0);

    /** The server's own pg_lsn input syntax: 1 to 8 hex digits on each side of the slash. */
    private static final Pattern TEXT = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    private final long value;

    private Lsn(long value) {
        this.value = value;
    }

    public static Lsn of(long value) {
        return value == 0 ? ZERO : new Lsn(value);
    }

    public static Lsn parse(String text) {
        if (text == null || !TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException("malformed LSN " + Fields.quoted(text) + ": expected X/Y in hex");
        }
        int slash = text.indexOf('/');
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        return of(high << 32 | low);
    }

    /** Unsigned 64-bit position; compare with {@link Long#compareUnsigned}. */
    public long value() {
        return value;
    }

    public Lsn plus(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot add " + bytes + " bytes to LSN " + this + ": must be >= 0");
        }
        long sum = value + bytes;
        if (Long.compareUnsigned(sum, value) < 0) {
            throw new IllegalArgumentException("LSN " + this + " plus " + bytes + " bytes is past FFFFFFFF/FFFFFFFF");
        }
        return of(sum);
    }

    /** Bytes from {@code earlier} to this position. */
    public long minus(Lsn earlier) {
        if (isBefore(earlier)) {
            throw new IllegalArgumentException("LSN " + this + " is before " + earlier + ": no bytes between them");
        }
        long bytes = value - earlier.value;
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes from " + earlier + " to " + this + " exceed " + Long.MAX_VALUE);
        }
        return bytes;
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lsn other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /** PostgreSQL's own spelling ({@code %X/%X}), so it can be compared with server output as text. */
    @Override
    public String toString() {
        return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
