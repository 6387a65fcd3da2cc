package io.whpg.drsync.dr;

import io.whpg.drsync.pg.BackupHistory;
import io.whpg.drsync.pg.BackupLabel;
import io.whpg.drsync.pg.Lsn;

/**
 * Where the base backup of a copy that still needs its end started: a fresh copy (backup_label, and no
 * backup_manifest, as PostgreSQL 12 / Greenplum 7 never writes one) or a copy stopped before replay reached
 * that end (pg_control's backup start). The end is the STOP WAL LOCATION of the backup history file the
 * primary archived when the backup ended; this start names that file and checks that it is this backup's.
 *
 * @param label the copy's backup_label, or null when only pg_control still knows the start
 */
public record BackupStart(Lsn startWal, int timeline, BackupLabel label) {

    public static BackupStart of(BackupLabel label) {
        return new BackupStart(label.startWal(), label.startTimeline(), label);
    }

    /** The backup history file of this backup in the archive. */
    public String historyFileName(long segmentSize) {
        return BackupHistory.fileName(startWal, timeline, segmentSize);
    }

    /** What the copy is, for a one-line reason. */
    public String describe() {
        return label != null
                ? "fresh base backup (backup_label: START WAL LOCATION " + startWal + ", LABEL " + quoted(label.label()) + ")"
                : "stopped before reaching the end of its base backup (started at " + startWal + ")";
    }

    /**
     * The archived file {@code name} read as this backup's history: its START WAL LOCATION and START TIMELINE
     * must give its own name, and agree with this start and with backup_label (START WAL LOCATION, CHECKPOINT
     * LOCATION, START TIMELINE, LABEL). Throws with the first difference.
     */
    public BackupHistory match(String name, String content, long segmentSize) {
        BackupHistory h = BackupHistory.parse(content);
        String own = BackupHistory.fileName(h.startWal(), h.startTimeline(), segmentSize);
        if (!own.equals(name)) {
            throw new IllegalArgumentException("its START WAL LOCATION " + h.startWal() + " on timeline " + h.startTimeline()
                    + " belongs to " + own + ", not to this file name");
        }
        String source = label != null ? "backup_label" : "pg_control";
        differ("START WAL LOCATION", h.startWal(), startWal, source);
        differ("START TIMELINE", h.startTimeline(), timeline, source);
        if (label != null) {
            differ("CHECKPOINT LOCATION", h.checkpoint(), label.checkpoint(), source);
            differ("LABEL", quoted(h.label()), quoted(label.label()), source);
        }
        return h;
    }

    private static void differ(String field, Object inHistory, Object inCopy, String source) {
        if (!inHistory.equals(inCopy)) {
            throw new IllegalArgumentException("its " + field + " " + inHistory + " differs from " + source + "'s "
                    + inCopy + ": it is another backup's");
        }
    }

    private static String quoted(String text) {
        return '"' + text + '"';
    }
}
