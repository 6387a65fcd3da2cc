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

    /**
     * The name PostgreSQL archives it under: the WAL file holding the backup's start on its start timeline, then
     * the start's offset in that file, {@code 000000010000000000000003.00000028.backup}.
     */
    public static String fileName(Lsn startWal, int startTimeline, long segmentSize) {
        // a record never starts on a segment boundary (a page header comes first): the file holding its first byte
        WalFile file = WalFile.containing(startWal.plus(1), startTimeline, segmentSize);
        return file.name() + String.format(".%08X.backup", Long.remainderUnsigned(startWal.value(), segmentSize));
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
