package io.whpg.drsync.pg;

import java.util.ArrayList;
import java.util.List;

/**
 * The ancestry of {@code timeline}, as in its {@code NNNNNNNN.history} file: each entry says that
 * {@code parentTimeline} ran up to {@code switchPoint}, where the next timeline (the next entry's parent, or
 * {@code timeline} itself after the last entry) began. Timeline 1 has no history file and no entries.
 */
public record TimelineHistory(int timeline, List<Entry> entries) {

    public record Entry(int parentTimeline, Lsn switchPoint, String reason) {
    }

    public TimelineHistory {
        if (timeline == 0) {
            throw new IllegalArgumentException("timeline 0 is invalid: timelines start at 1");
        }
        entries = List.copyOf(entries);
        for (int i = 0; i < entries.size(); i++) {
            String problem = problemWith(entries.get(i), i == 0 ? null : entries.get(i - 1), timeline);
            if (problem != null) {
                throw new IllegalArgumentException("history of timeline " + timeline + ", entry " + (i + 1) + ": " + problem);
            }
        }
    }

    /** PostgreSQL's name for the history file of {@code timeline}. */
    public static String fileName(int timeline) {
        return String.format("%08X.history", timeline);
    }

    /**
     * Parses a history file's content like PostgreSQL's readTimeLineHistory: one
     * {@code parentTLI<TAB>switchpoint<TAB>reason} line per ancestor, {@code #} comments and blank lines skipped.
     */
    public static TimelineHistory parse(int timeline, String content) {
        String source = fileName(timeline);
        List<Entry> entries = new ArrayList<>();
        String[] lines = content.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            String[] fields = line.split("\\s+", 3);
            if (fields.length < 2) {
                throw new IllegalArgumentException(where + ": expected \"<parent timeline><TAB><switch point LSN>"
                        + "<TAB><reason>\", got " + Fields.quoted(line));
            }
            int parent;
            try {
                parent = Integer.parseUnsignedInt(fields[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": expected a numeric parent timeline, got "
                        + Fields.quoted(fields[0]));
            }
            Lsn switchPoint;
            try {
                switchPoint = Lsn.parse(fields[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": switch point: " + e.getMessage());
            }
            Entry entry = new Entry(parent, switchPoint, fields.length == 3 ? fields[2] : "");
            String problem = problemWith(entry, entries.isEmpty() ? null : entries.get(entries.size() - 1), timeline);
            if (problem != null) {
                throw new IllegalArgumentException(where + ": " + problem);
            }
            entries.add(entry);
        }
        return new TimelineHistory(timeline, entries);
    }

    /** The timeline that wrote the WAL at {@code lsn}: a switch point itself belongs to the newer timeline. */
    public int timelineAt(Lsn lsn) {
        for (Entry entry : entries) {
            if (lsn.isBefore(entry.switchPoint())) {
                return entry.parentTimeline();
            }
        }
        return timeline;
    }

    private static String problemWith(Entry entry, Entry previous, int timeline) {
        if (entry.parentTimeline() == 0) {
            return "parent timeline 0 is invalid";
        }
        if (Integer.compareUnsigned(entry.parentTimeline(), timeline) >= 0) {
            return "parent timeline " + Integer.toUnsignedString(entry.parentTimeline())
                    + " is not below timeline " + Integer.toUnsignedString(timeline);
        }
        if (previous != null && Integer.compareUnsigned(entry.parentTimeline(), previous.parentTimeline()) <= 0) {
            return "parent timeline " + Integer.toUnsignedString(entry.parentTimeline())
                    + " does not increase (previous " + Integer.toUnsignedString(previous.parentTimeline()) + ")";
        }
        if (previous != null && entry.switchPoint().isBefore(previous.switchPoint())) {
            return "switch point " + entry.switchPoint() + " is before the previous one, " + previous.switchPoint();
        }
        return null;
    }
}
