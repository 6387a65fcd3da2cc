package io.whpg.drsync.primary;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One instance's archiver as read while waiting: its pg_stat_archiver row (the newest file its archive_command
 * reported done, and when) and the WAL files marked done in its {@code pg_wal/archive_status}. PostgreSQL renames
 * {@code <file>.ready} to {@code <file>.done} the moment archive_command returned 0, before it tells the statistics
 * collector; on Greenplum 7 (PostgreSQL 12) a new session reads statistics up to 0.5 s old, so the marker is the
 * sooner of the two proofs (bench/results/publish-profile.md).
 */
public record ArchiverStatus(int gpSegmentId, String lastArchivedWal, String lastArchivedTime, String lastFailedWal,
        Set<String> markedDone) {
    /**
     * {@link InstanceCheck#SQL}'s columns plus {@code done_files}: the names of the {@code .done} markers, comma
     * separated. {@code pg_ls_dir} reads names only (superuser, as the idle rule's WAL read): a function that also
     * stats each file could fail on a marker a checkpoint removes meanwhile.
     */
    public static final String SQL = InstanceCheck.COLUMNS
            + ", (SELECT string_agg(left(d, -5), ',') FROM pg_ls_dir('pg_wal/archive_status', true, false) d"
            + " WHERE d LIKE '%.done') AS done_files" + InstanceCheck.FROM;

    public ArchiverStatus {
        markedDone = Set.copyOf(markedDone);
    }

    /** Without archive_status markers (only the statistics row is known). */
    public ArchiverStatus(int gpSegmentId, String lastArchivedWal, String lastArchivedTime, String lastFailedWal) {
        this(gpSegmentId, lastArchivedWal, lastArchivedTime, lastFailedWal, Set.of());
    }

    /** The marker names of {@code done_files} (null: none). */
    public static Set<String> doneFiles(String commaSeparated) {
        return commaSeparated == null || commaSeparated.isEmpty() ? Set.of()
                : Arrays.stream(commaSeparated.split(",")).collect(Collectors.toUnmodifiableSet());
    }
}
