package io.whpg.drsync.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.dr.CycleFailure;
import org.junit.jupiter.api.Test;

class InstanceCheckTest {
    private static final PrimaryInstance SEG1 = new PrimaryInstance(1, "sdw1", "10.0.1.7", 7003);
    private static final long MB64 = 64L << 20;

    private static InstanceCheck check(long size, String mode, String command, boolean failing) {
        return new InstanceCheck(size, mode, command, failing ? 3 : 0, failing ? "000000010000000000000007" : null,
                failing ? "2026-12-05 14:01:02.5+00" : null, "000000010000000000000006", failing);
    }

    private static CycleFailure refused(InstanceCheck c, String status) {
        CycleFailure f = c.refusal(SEG1, 64).orElseThrow();
        assertEquals(status, f.status());
        assertTrue(f.getMessage().startsWith("content 1 (10.0.1.7:7003): "), f.getMessage());
        assertTrue(!f.getMessage().contains("\n"), f.getMessage());
        return f;
    }

    @Test
    void aHealthyInstancePasses() {
        assertTrue(check(MB64, "on", "cp %p /a/%f", false).refusal(SEG1, 64).isEmpty());
        assertTrue(check(MB64, "always", "cp %p /a/%f", false).refusal(SEG1, 64).isEmpty());
    }

    @Test
    void aWrongSegmentSizeNamesBothSizes() {
        assertEquals("content 1 (10.0.1.7:7003): wal_segment_size is 64 MB but behavior.wal_segment_size_mb is 16"
                        + " (set it to the cluster's size)",
                check(MB64, "on", "cp", false).refusal(SEG1, 16).orElseThrow().getMessage());
        refused(check(16L << 20, "on", "cp", false), InstanceCheck.WAL_SEGMENT_SIZE_MISMATCH);
    }

    @Test
    void archivingOffOrNoCommandIsRefused() {
        assertEquals("content 1 (10.0.1.7:7003): archive_mode is off: its WAL never reaches the archive, so no DR copy"
                + " could replay to a point", refused(check(MB64, "off", "cp", false), InstanceCheck.ARCHIVING_OFF).getMessage());
        assertEquals("content 1 (10.0.1.7:7003): archive_command is empty: WAL files are kept in pg_wal, never archived",
                refused(check(MB64, "on", "", false), InstanceCheck.ARCHIVING_OFF).getMessage());
        refused(check(MB64, "on", "(disabled)", false), InstanceCheck.ARCHIVING_OFF);
    }

    @Test
    void aFailingArchiverNamesItsCountAndFile() {
        assertEquals("content 1 (10.0.1.7:7003): archive_command failing (failed_count 3, last_failed_wal"
                        + " 000000010000000000000007 at 2026-12-05 14:01:02.5+00; last archived 000000010000000000000006);"
                        + " fix archive_command (/bin/false): a point is published once the archiver succeeds again"
                        + " (PostgreSQL retries within a minute)",
                refused(check(MB64, "on", "/bin/false", true), InstanceCheck.ARCHIVER_FAILING).getMessage());
    }
}
