package io.whpg.drsync.pg;

/**
 * A backup history file {@code <walfile>.<offset>.backup} from the WAL archive. A copy made by that backup is
 * consistent only once replay reaches {@code stopWal}: a recovery target before it fails.
 */
public record BackupHistory(Lsn startWal, Lsn stopWal, Lsn checkpoint, int startTimeline, int stopTimeline,
                            String label) {

    public BackupHistory {
        if (stopWal.isBefore(startWal)) {
            throw new IllegalArgumentException("backup history file: STOP WAL LOCATION " + stopWal
                    + " is before START WAL LOCATION " + startWal);
        }
    }

    public static BackupHistory parse(String content) {
        Fields fields = Fields.parse("backup history file", content);
        return new BackupHistory(
                fields.lsn("START WAL LOCATION"),
                fields.lsn("STOP WAL LOCATION"),
                fields.lsn("CHECKPOINT LOCATION"),
                fields.timeline("START TIMELINE"),
                fields.timeline("STOP TIMELINE"),
                fields.text("LABEL"));
    }
}
