package io.whpg.drsync.primary;

import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.TimelineHistory;
import io.whpg.drsync.pg.WalFile;
import io.whpg.drsync.state.SegmentPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What READY proves for one instance: a DR copy parked at the previous READY point can replay to this one
 * from the archive, i.e. every WAL file from the previous point's file through this point's switch is
 * archived, on the timelines PostgreSQL's restore asks for. WAL names are compared as (timeline, segment
 * number), never as strings.
 */
public final class Continuity {
    /** At most this many files are enumerated per instance (64 MB segments: 640 GB of WAL); older ones are not checked. */
    public static final int MAX_FILES = 10_000;

    private Continuity() {
    }

    /** The files to prove, and a note when the enumeration was cut short. */
    public record Range(List<String> files, Optional<String> note) {
    }

    /** The history file needed to follow a timeline change since the previous point, if any. */
    public static Optional<String> historyNeeded(SegmentPoint previous, int timeline) {
        return previous == null || previous.timeline() == timeline ? Optional.empty()
                : Optional.of(TimelineHistory.fileName(timeline));
    }

    /**
     * From the file holding the previous point (or this point when there is none usable) through {@code through};
     * {@code history} (of {@code timeline}) is required when the previous point lies on an older timeline; without
     * it only the history file itself is listed, so it is what NOT READY names.
     */
    public static Range files(SegmentPoint previous, Lsn restoreLsn, Lsn through, int timeline, TimelineHistory history,
            long segmentSize) {
        Lsn from = previous == null || previous.restoreLsn().isAfter(restoreLsn) ? restoreLsn : previous.restoreLsn();
        List<String> names = new ArrayList<>();
        Optional<String> historyName = historyNeeded(previous, timeline);
        if (historyName.isPresent()) {
            names.add(historyName.get());
            if (history == null) {
                return new Range(names, Optional.empty());
            }
        }
        Optional<String> note = Optional.empty();
        long span = Long.divideUnsigned(through.value(), segmentSize) - Long.divideUnsigned(from.value(), segmentSize);
        if (span >= MAX_FILES) {
            Lsn cut = Lsn.of(through.value() - (MAX_FILES - 1) * segmentSize);
            note = Optional.of("the previous READY point " + previous.restoreLsn() + " is " + (span + 1)
                    + " WAL files back; continuity checked for the last " + MAX_FILES + " only (from " + cut + ")");
            from = cut;
        }
        TimelineHistory h = history == null ? new TimelineHistory(timeline, List.of()) : history;
        for (WalFile f : WalFile.between(from, through, h, segmentSize)) {
            names.add(f.name());
        }
        return new Range(names, note);
    }

    /**
     * Whether the archiver has reported {@code needed} done: its last archived segment is on a later timeline, or
     * on the same one at or past it. Anything else it reports (a history or backup history file) proves nothing.
     */
    public static boolean reported(String lastArchived, String needed, long segmentSize) {
        if (lastArchived == null || WalFile.kindOf(lastArchived).orElse(null) != WalFile.Kind.SEGMENT
                || WalFile.kindOf(needed).orElse(null) != WalFile.Kind.SEGMENT) {
            return false;
        }
        WalFile last = WalFile.parse(lastArchived, segmentSize);
        WalFile want = WalFile.parse(needed, segmentSize);
        return last.timeline() > want.timeline() || last.timeline() == want.timeline() && last.segno() >= want.segno();
    }

    /** Why {@code missing} is not proven archived, from the instance's archive settings and archiver. */
    public static String why(String missing, boolean present, ArchiverStatus archiver, InstanceCheck settings,
            long segmentSize) {
        String reached = archiver == null || archiver.lastArchivedWal() == null ? "nothing" : archiver.lastArchivedWal();
        if (settings != null && !"on".equals(settings.archiveMode()) && !"always".equals(settings.archiveMode())) {
            return "archive_mode is " + settings.archiveMode();
        }
        if (settings != null && settings.archiverFailing()) {
            return settings.failingText();
        }
        if (!present && archiver != null && reported(archiver.lastArchivedWal(), missing, segmentSize)) {
            return "absent from the archive although the archiver has passed it (last archived " + reached
                    + "): never archived (archive_mode off when it was written?) or removed";
        }
        if (present) {
            return "in the archive but not yet reported done by the archiver (it has reached " + reached + ")";
        }
        return "not yet archived (the archiver has reached " + reached + ")";
    }
}
