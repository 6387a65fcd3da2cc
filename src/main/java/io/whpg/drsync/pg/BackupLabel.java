package io.whpg.drsync.pg;

/**
 * A data directory's {@code backup_label}, left by pg_basebackup: replay of the copy starts at the checkpoint's
 * REDO, {@code startWal}, on {@code startTimeline}.
 */
public record BackupLabel(Lsn startWal, Lsn checkpoint, int startTimeline, String label) {

    public static BackupLabel parse(String content) {
        Fields fields = Fields.parse("backup_label", content);
        return new BackupLabel(
                fields.lsn("START WAL LOCATION"),
                fields.lsn("CHECKPOINT LOCATION"),
                fields.timeline("START TIMELINE"),
                fields.text("LABEL"));
    }
}
