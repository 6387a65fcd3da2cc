package io.whpg.drsync.pg;

/**
 * The parts of {@code pg_controldata} output (run with LANG=C: field names are translated otherwise) that say
 * where an instance stands. {@code systemIdentifier} stays text: it is an unsigned 64-bit number.
 */
public record ControlData(
        String clusterState,
        String systemIdentifier,
        Lsn latestCheckpoint,
        Lsn latestCheckpointRedo,
        int latestCheckpointTimeline,
        Lsn minRecoveryEnd,
        int minRecoveryEndTimeline,
        Lsn backupStart,
        Lsn backupEnd,
        long walSegmentSize,
        int walBlockSize) {

    public static final String SHUT_DOWN = "shut down";
    public static final String SHUT_DOWN_IN_RECOVERY = "shut down in recovery";
    public static final String IN_PRODUCTION = "in production";

    private static final String SOURCE = "pg_controldata output";
    /** pg_controldata prints this and carries on when pg_control is corrupt or from another build. */
    private static final String CRC_WARNING = "WARNING: Calculated CRC checksum does not match value stored in file";

    public static ControlData parse(String output) {
        if (output.contains(CRC_WARNING)) {
            throw new IllegalArgumentException(SOURCE + ": pg_control's CRC does not match, its values are untrustworthy");
        }
        Fields fields = Fields.parse(SOURCE, output);
        String systemIdentifier = fields.text("Database system identifier");
        try {
            Long.parseUnsignedLong(systemIdentifier);
        } catch (NumberFormatException e) {
            throw fields.invalid("Database system identifier",
                    "expected an unsigned 64-bit number, got " + Fields.quoted(systemIdentifier));
        }
        long segmentSize = fields.number("Bytes per WAL segment");
        try {
            WalFile.checkSegmentSize(segmentSize);
        } catch (IllegalArgumentException e) {
            throw fields.invalid("Bytes per WAL segment", e.getMessage());
        }
        long blockSize = fields.number("WAL block size");
        if (blockSize < 1024 || blockSize > 65536 || Long.bitCount(blockSize) != 1) {
            throw fields.invalid("WAL block size", "expected a power of two from 1024 to 65536, got " + blockSize);
        }
        return new ControlData(
                fields.text("Database cluster state"),
                systemIdentifier,
                fields.lsn("Latest checkpoint location"),
                fields.lsn("Latest checkpoint's REDO location"),
                fields.timeline("Latest checkpoint's TimeLineID"),
                fields.lsn("Minimum recovery ending location"),
                fields.timeline("Min recovery ending loc's timeline"),
                fields.lsn("Backup start location"),
                fields.lsn("Backup end location"),
                segmentSize,
                (int) blockSize);
    }

    /** Parked: stopped while in recovery, at a recovery target or by pg_ctl stop. */
    public boolean isShutDownInRecovery() {
        return SHUT_DOWN_IN_RECOVERY.equals(clusterState);
    }

    /** Cleanly stopped as a primary (not in recovery). */
    public boolean isShutDown() {
        return SHUT_DOWN.equals(clusterState);
    }

    /** Running as a primary, crashed as one, or a base backup copy that was never started. */
    public boolean isInProduction() {
        return IN_PRODUCTION.equals(clusterState);
    }
}
