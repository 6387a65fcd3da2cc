package io.whpg.drsync.primary;

import io.whpg.drsync.pg.BackgroundWal;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.WalFile;
import io.whpg.drsync.state.SegmentPoint;
import java.util.Map;
import java.util.Optional;

/**
 * Whether an instance is unchanged since the previous READY point P, so the DR parked at P has exactly its data.
 * Sound rule (README "Idle clusters"): at P the tool wrote, in this order, CHECKPOINT, the RESTORE_POINT record
 * (ending at P's restore LSN) and the WAL switch (P's switch LSN), which pads the rest of that segment. The
 * instance is unchanged when (1) the switch record is the very next record after the restore point
 * ({@code switch LSN == MAXALIGN(restore LSN) + 24}: nothing was written between them, which the DR at P would
 * lack), and (2) everything written since the segment boundary after the switch is background WAL that changes
 * no data ({@link BackgroundWal}: running_xacts, a timed checkpoint), on the same system and timeline. Anything
 * else, including a previous point made without a WAL switch, publishes a new point.
 */
public final class IdleRule {
    /**
     * One row per instance, read before the tool writes anything in this cycle (its CHECKPOINT comes after). The
     * segment holding the insert position may not exist yet (nothing written into it): missing_ok.
     */
    public static final String SQL = "SELECT s.i::text AS insert_lsn, s.f::text AS flush_lsn, pg_walfile_name(s.i) AS insert_file,"
            + " (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,"
            + " pg_read_binary_file('pg_wal/' || pg_walfile_name(s.i), 0, " + Probe.HEAD_BYTES + ", true) AS wal_head"
            + " FROM (SELECT pg_current_wal_insert_lsn() AS i, pg_current_wal_flush_lsn() AS f) s";
    private static final int RECORD_HEADER = 24;
    private static final int LONG_PAGE_HEADER = 40;

    private IdleRule() {
    }

    /** What an instance says now: its insert and flush positions, the file holding the insert position, its head. */
    public record Probe(Lsn insert, Lsn flush, String insertFile, String systemIdentifier, byte[] head) {
        /** The first WAL page of the current segment, 32 KB on Greenplum 7 (8 KB on PostgreSQL). */
        public static final int HEAD_BYTES = 32768;

        public static Probe of(Map<?, ?> row) {
            return new Probe(Lsn.parse(String.valueOf(row.get("insert_lsn"))), Lsn.parse(String.valueOf(row.get("flush_lsn"))),
                    String.valueOf(row.get("insert_file")), String.valueOf(row.get("system_identifier")),
                    row.get("wal_head") instanceof byte[] b ? b : null);
        }
    }

    /** Empty when the instance is unchanged since {@code previous} (switched at {@code previousSwitch}), else why not. */
    public static Optional<String> whyChanged(SegmentPoint previous, Lsn previousSwitch, Probe now, long segmentSize) {
        if (previous == null) {
            return Optional.of("no previous READY point of this instance");
        }
        if (previousSwitch == null) {
            return Optional.of("the previous point " + previous.restoreLsn() + " switched no WAL (--no-switch-wal)");
        }
        if (!previous.systemIdentifier().equals(now.systemIdentifier())) {
            return Optional.of("system identifier " + now.systemIdentifier() + " is not the previous point's "
                    + previous.systemIdentifier());
        }
        long alignedRestore = (previous.restoreLsn().value() + 7) & ~7L;
        if (previousSwitch.value() != alignedRestore + RECORD_HEADER) {
            return Optional.of("WAL was written between the previous restore point " + previous.restoreLsn()
                    + " and its WAL switch (ending " + previousSwitch + ")");
        }
        int timeline;
        try {
            timeline = WalFile.parse(now.insertFile(), segmentSize).timeline();
        } catch (IllegalArgumentException e) {
            return Optional.of("pg_walfile_name gave " + now.insertFile() + ": " + e.getMessage());
        }
        if (timeline != previous.timeline()) {
            return Optional.of("timeline " + timeline + " since the previous point's timeline " + previous.timeline());
        }
        Lsn boundary = Lsn.of(Long.divideUnsigned(previousSwitch.value() + segmentSize - 1, segmentSize) * segmentSize);
        if (now.insert().equals(boundary.plus(LONG_PAGE_HEADER))) {
            return Optional.empty();
        }
        if (now.insert().isBefore(boundary.plus(LONG_PAGE_HEADER))) {
            return Optional.of("insert position " + now.insert() + " is before the end of the previous point's segment " + boundary);
        }
        if (now.flush().isBefore(now.insert())) {
            return Optional.of("WAL written up to " + now.insert() + " is flushed only to " + now.flush());
        }
        if (now.insert().minus(boundary) >= segmentSize) {
            return Optional.of("insert position " + now.insert() + " is past the segment after the previous point (" + boundary + ")");
        }
        return BackgroundWal.whyNotBackground(now.head(), boundary, now.insert(), timeline, now.systemIdentifier(), segmentSize);
    }
}
