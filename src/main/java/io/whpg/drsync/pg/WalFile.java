package io.whpg.drsync.pg;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One WAL segment file: segment number {@code segno} (its bytes start at {@code segno * segmentSize}) on a
 * timeline. Names follow PostgreSQL: {@code %08X%08X%08X} of timeline, segno / files-per-4GB, segno % files-per-4GB.
 */
public record WalFile(int timeline, long segno, long segmentSize) {
    public static final long MIN_SEGMENT_SIZE = 1L << 20;
    public static final long MAX_SEGMENT_SIZE = 1L << 30;

    /** What a file in a WAL archive is, by its name alone. */
    public enum Kind { SEGMENT, PARTIAL, HISTORY, BACKUP_HISTORY }

    /** PostgreSQL writes these names in upper case only, and its restore looks for exactly those. */
    private static final Pattern SEGMENT_NAME = Pattern.compile("[0-9A-F]{24}");
    private static final Pattern PARTIAL_NAME = Pattern.compile("[0-9A-F]{24}\\.partial");
    private static final Pattern HISTORY_NAME = Pattern.compile("[0-9A-F]{8}\\.history");
    private static final Pattern BACKUP_HISTORY_NAME = Pattern.compile("[0-9A-F]{24}\\.[0-9A-F]{8}\\.backup");

    public WalFile {
        checkSegmentSize(segmentSize);
        if (timeline == 0) {
            throw new IllegalArgumentException("timeline 0 is invalid: timelines start at 1");
        }
        long last = Long.divideUnsigned(-1L, segmentSize);
        if (segno < 0 || segno > last) {
            throw new IllegalArgumentException("WAL segment number " + segno + " is out of range for "
                    + megabytes(segmentSize) + " segments (0.." + last + ")");
        }
    }

    /** Returns {@code bytes} if it is a size PostgreSQL allows for WAL segments (initdb --wal-segsize). */
    public static long checkSegmentSize(long bytes) {
        if (bytes < MIN_SEGMENT_SIZE || bytes > MAX_SEGMENT_SIZE || Long.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("invalid WAL segment size " + bytes
                    + " bytes: expected a power of two from 1 MB (1048576) to 1 GB (1073741824)");
        }
        return bytes;
    }

    /**
     * The file holding the record that ends at {@code endOfRecord}, like {@code pg_walfile_name}: the byte before
     * it, so an end exactly on a segment boundary (after a WAL switch) belongs to the earlier file.
     */
    public static WalFile containing(Lsn endOfRecord, int timeline, long segmentSize) {
        checkSegmentSize(segmentSize);
        if (endOfRecord.equals(Lsn.ZERO)) {
            // pg_walfile_name('0/0') wraps around to the very last file name; no record ends at 0/0.
            throw new IllegalArgumentException("LSN 0/0 ends no WAL record: no WAL file holds it");
        }
        return new WalFile(timeline, Long.divideUnsigned(endOfRecord.value() - 1, segmentSize), segmentSize);
    }

    public static WalFile parse(String name, long segmentSize) {
        checkSegmentSize(segmentSize);
        if (name == null || !SEGMENT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("malformed WAL file name " + Fields.quoted(name)
                    + ": expected 24 upper-case hex digits (timeline, log, segment)");
        }
        int timeline = Integer.parseUnsignedInt(name.substring(0, 8), 16);
        long log = Long.parseLong(name.substring(8, 16), 16);
        long seg = Long.parseLong(name.substring(16, 24), 16);
        long perLog = filesPer4Gb(segmentSize);
        if (timeline == 0) {
            throw new IllegalArgumentException("WAL file name \"" + name + "\": timeline 0 is invalid");
        }
        if (seg >= perLog) {
            throw new IllegalArgumentException(String.format(
                    "WAL file name \"%s\": segment part %s is out of range for %s segments (max %08X)",
                    name, name.substring(16), megabytes(segmentSize), perLog - 1));
        }
        return new WalFile(timeline, log * perLog + seg, segmentSize);
    }

    /** The kind of an archive file name, or empty for anything PostgreSQL would not archive. */
    public static Optional<Kind> kindOf(String fileName) {
        if (SEGMENT_NAME.matcher(fileName).matches()) {
            return Optional.of(Kind.SEGMENT);
        } else if (PARTIAL_NAME.matcher(fileName).matches()) {
            return Optional.of(Kind.PARTIAL);
        } else if (HISTORY_NAME.matcher(fileName).matches()) {
            return Optional.of(Kind.HISTORY);
        } else if (BACKUP_HISTORY_NAME.matcher(fileName).matches()) {
            return Optional.of(Kind.BACKUP_HISTORY);
        }
        return Optional.empty();
    }

    /**
     * Every file from the one holding {@code from} to the one holding {@code to}, inclusive, on one timeline.
     * Both ends use the previous-byte rule of {@link #containing}; a record never starts on a segment boundary
     * (a page header comes first), so a record's start LSN gets its own file too.
     */
    public static List<WalFile> between(Lsn from, Lsn to, int timeline, long segmentSize) {
        return between(from, to, new TimelineHistory(timeline, List.of()), segmentSize);
    }

    /**
     * Like {@link #between(Lsn, Lsn, int, long)}, each file on the timeline PostgreSQL's restore asks for: a
     * parent timeline before the segment holding its switch point, the child timeline from that segment on (at a
     * switch, the parent's copy of that segment is archived only as {@code .partial}).
     */
    public static List<WalFile> between(Lsn from, Lsn to, TimelineHistory history, long segmentSize) {
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("WAL range from " + from + " to " + to + " is backwards");
        }
        long first = containing(from, history.timeline(), segmentSize).segno();
        long last = containing(to, history.timeline(), segmentSize).segno();
        List<WalFile> files = new ArrayList<>();
        for (long segno = first; segno <= last; segno++) {
            files.add(new WalFile(timelineOfSegment(history, segno, segmentSize), segno, segmentSize));
        }
        return files;
    }

    /** PostgreSQL's XLogFileReadAnyTLI: the switch point's own segment (start byte rule) is the child's. */
    private static int timelineOfSegment(TimelineHistory history, long segno, long segmentSize) {
        for (TimelineHistory.Entry entry : history.entries()) {
            if (segno < Long.divideUnsigned(entry.switchPoint().value(), segmentSize)) {
                return entry.parentTimeline();
            }
        }
        return history.timeline();
    }

    public String name() {
        long perLog = filesPer4Gb(segmentSize);
        return String.format("%08X%08X%08X", timeline, segno / perLog, segno % perLog);
    }

    public Lsn startLsn() {
        return Lsn.of(segno * segmentSize);
    }

    public WalFile next() {
        return new WalFile(timeline, segno + 1, segmentSize);
    }

    @Override
    public String toString() {
        return name();
    }

    private static long filesPer4Gb(long segmentSize) {
        return 0x1_0000_0000L / segmentSize;
    }

    private static String megabytes(long segmentSize) {
        return (segmentSize >> 20) + " MB";
    }
}
