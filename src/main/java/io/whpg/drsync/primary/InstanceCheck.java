package io.whpg.drsync.primary;

import io.whpg.drsync.dr.CycleFailure;
import java.util.Map;
import java.util.Optional;

/**
 * What one acting primary says before any restore point is created: its WAL segment size and whether its
 * WAL reaches the archive. Any of them wrong refuses the whole cycle then, so a failure leaves no point behind.
 */
public record InstanceCheck(long walSegmentSize, String archiveMode, String archiveCommand, long failedCount,
        String lastFailedWal, String lastFailedTime, String lastArchivedWal, boolean archiverFailing) {
    public static final String WAL_SEGMENT_SIZE_MISMATCH = "wal_segment_size_mismatch";
    public static final String ARCHIVING_OFF = "archiving_off";
    public static final String ARCHIVER_FAILING = "archiver_failing";

    /**
     * One row per instance (utility mode). The archiver is failing while its last failure is newer than its
     * last success: PostgreSQL retries the same file and archives nothing after it until it succeeds.
     */
    static final String COLUMNS = "SELECT (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size') AS wal_segment_size,"
            + " current_setting('archive_mode') AS archive_mode, current_setting('archive_command') AS archive_command,"
            + " a.failed_count, a.last_failed_wal, a.last_failed_time::text AS last_failed_time, a.last_archived_wal,"
            + " a.last_archived_time::text AS last_archived_time,"
            + " (a.last_failed_time IS NOT NULL AND (a.last_archived_time IS NULL OR a.last_failed_time > a.last_archived_time))"
            + " AS archiver_failing";
    static final String FROM = " FROM pg_stat_archiver a";
    public static final String SQL = COLUMNS + FROM;

    /** From a row of {@link #SQL}. */
    public static InstanceCheck of(Map<?, ?> row) {
        return new InstanceCheck(((Number) row.get("wal_segment_size")).longValue(), String.valueOf(row.get("archive_mode")),
                (String) row.get("archive_command"), ((Number) row.get("failed_count")).longValue(),
                (String) row.get("last_failed_wal"), (String) row.get("last_failed_time"), (String) row.get("last_archived_wal"),
                Boolean.TRUE.equals(row.get("archiver_failing")));
    }

    /** Why the cycle must not go on because of this instance, as a one-line failure naming it; empty when it is fine. */
    public Optional<CycleFailure> refusal(PrimaryInstance i, int expectedSegmentMb) {
        if (walSegmentSize != expectedSegmentMb * 1024L * 1024L) {
            return Optional.of(new CycleFailure(WAL_SEGMENT_SIZE_MISMATCH, i.label() + ": wal_segment_size is "
                    + size(walSegmentSize) + " but behavior.wal_segment_size_mb is " + expectedSegmentMb
                    + " (set it to the cluster's size)"));
        }
        if (!"on".equals(archiveMode) && !"always".equals(archiveMode)) {
            return Optional.of(new CycleFailure(ARCHIVING_OFF, i.label() + ": archive_mode is " + archiveMode
                    + ": its WAL never reaches the archive, so no DR copy could replay to a point"));
        }
        if (archiveCommand == null || archiveCommand.isBlank() || "(disabled)".equals(archiveCommand)) {
            return Optional.of(new CycleFailure(ARCHIVING_OFF, i.label()
                    + ": archive_command is empty: WAL files are kept in pg_wal, never archived"));
        }
        if (archiverFailing) {
            return Optional.of(new CycleFailure(ARCHIVER_FAILING, i.label() + ": " + failingText()
                    + "; fix archive_command (" + archiveCommand + "): a point is published once the archiver"
                    + " succeeds again (PostgreSQL retries within a minute)"));
        }
        return Optional.empty();
    }

    /** {@code archive_command failing (failed_count 3, last_failed_wal X at T)}, as NOT READY names it too. */
    public String failingText() {
        return "archive_command failing (failed_count " + failedCount + ", last_failed_wal " + lastFailedWal
                + (lastFailedTime == null ? "" : " at " + lastFailedTime) + "; last archived "
                + (lastArchivedWal == null ? "nothing" : lastArchivedWal) + ")";
    }

    private static String size(long bytes) {
        return bytes % (1024L * 1024L) == 0 ? (bytes >> 20) + " MB" : bytes + " bytes";
    }
}
