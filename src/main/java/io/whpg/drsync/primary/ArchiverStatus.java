package io.whpg.drsync.primary;

/** One instance's pg_stat_archiver row: the newest file its archive_command reported done, and when. */
public record ArchiverStatus(int gpSegmentId, String lastArchivedWal, String lastArchivedTime, String lastFailedWal) {
}
