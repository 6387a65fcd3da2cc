package io.whpg.drsync.dr;

import static io.whpg.drsync.dr.Reports.parsed;
import static io.whpg.drsync.dr.Reports.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.pg.BackupLabel;
import io.whpg.drsync.pg.Lsn;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceProbeTest {
    private static final String PARKED = sample("controldata/shut-down-in-recovery.txt");

    @Test
    void aParkedInstanceWithEverythingTheProbeCanSee() {
        InstanceProbe p = InstanceProbe.from(0, parsed(0, PARKED, List.of("@@whpg standby_signal", "@@whpg include_present",
                "@@foreign postgresql.auto.conf: recovery_target_name = 'rp0'", "@@hist 00000002.history")));
        assertNull(p.problem());
        assertTrue(p.dataDirExists());
        assertEquals("shut down in recovery", p.controlData().clusterState());
        assertEquals(Lsn.parse("0/3016120"), p.controlData().minRecoveryEnd());
        assertTrue(p.standbySignal());
        assertFalse(p.recoverySignal());
        assertFalse(p.running());
        assertNull(p.backupLabel());
        assertNull(p.backupEndLsn());
        assertTrue(p.includePresent());
        assertEquals(List.of("postgresql.auto.conf: recovery_target_name = 'rp0'"), p.foreignTargetSettings());
        assertEquals(List.of("00000002.history"), p.historyFiles());
    }

    @Test
    void aFreshBaseBackupWithItsLabelAndManifest() {
        InstanceProbe p = InstanceProbe.from(1, parsed(1, sample("controldata/basebackup-fresh.txt"),
                Reports.concat(Reports.label("backup/backup_label"), List.of("@@whpg standby_signal",
                        "@@whpg backup_end \"End-LSN\": \"0/2000100\""))));
        assertNull(p.problem());
        assertEquals(BackupLabel.parse(sample("backup/backup_label")), p.backupLabel());
        assertEquals(Lsn.parse("0/2000100"), p.backupEndLsn());
        assertTrue(p.controlData().isInProduction());
    }

    @Test
    void aFreshGreenplum7CopyHasItsWholeLabelAndNoManifest() {
        InstanceProbe p = InstanceProbe.from(-1, parsed(-1, sample("backup/gp7/basebackup-fresh.controldata"),
                Reports.concat(Reports.label("backup/gp7/backup_label"), List.of("@@whpg standby_signal"))));
        assertNull(p.problem());
        assertEquals(new BackupLabel(Lsn.parse("0/C000028"), Lsn.parse("0/C000060"), 1, "pg_basebackup base backup"),
                p.backupLabel());
        assertNull(p.backupEndLsn());
        assertEquals(64L << 20, p.controlData().walSegmentSize());
    }

    @Test
    void aRunningPostmasterIsSeenByItsPid() {
        InstanceProbe p = InstanceProbe.from(0, parsed(0, sample("controldata/primary-running.txt"),
                List.of("@@whpg running 31337")));
        assertTrue(p.running());
        assertEquals(31337, p.runningPid());
    }

    @Test
    void noBlockIsAProblemNotAGuess() {
        InstanceProbe p = InstanceProbe.from(3, null);
        assertEquals("no probe output for this instance", p.problem());
        assertNull(p.controlData());
        assertFalse(p.standbySignal());
    }

    @Test
    void aMissingDataDirectory() {
        InstanceProbe p = InstanceProbe.from(0, parsed(0, "", List.of("@@whpg missing")));
        assertFalse(p.dataDirExists());
        assertNull(p.problem());
        assertNull(p.controlData());
    }

    @Test
    void pgControldataFailureIsQuotedFromItsFirstLine() {
        String failure = "pg_controldata: error: could not open file \"/data/primary/gpseg0/global/pg_control\" for "
                + "reading: No such file or directory";
        InstanceProbe p = InstanceProbe.from(0, parsed(0, failure, List.of("@@whpg standby_signal")));
        assertEquals("pg_controldata failed: " + failure, p.problem());
        assertNull(p.controlData());

        InstanceProbe crc = InstanceProbe.from(0, parsed(0, "WARNING: Calculated CRC checksum does not match value "
                + "stored in file.\nEither the file is corrupt, or it has a different layout than this program\n" + PARKED,
                List.of()));
        assertEquals("pg_controldata failed: WARNING: Calculated CRC checksum does not match value stored in file.",
                crc.problem());

        InstanceProbe nothing = InstanceProbe.from(0, parsed(0, "", List.of()));
        assertEquals("pg_controldata failed: no output", nothing.problem());
    }

    @Test
    void aTornPostmasterPidOrBackupLabelIsThisInstancesProblem() {
        InstanceProbe pid = InstanceProbe.from(0, parsed(0, PARKED, List.of("@@whpg running self")));
        assertEquals("postmaster.pid: expected a process id on its first line, got \"self\"", pid.problem());

        InstanceProbe label = InstanceProbe.from(0, parsed(0, sample("controldata/basebackup-fresh.txt"),
                List.of("@@whpg backup_label", "@@bl START WAL LOCATION: / (file 000000010000000000000002)")));
        assertEquals("backup_label field \"START WAL LOCATION\": malformed LSN \"/\": expected X/Y in hex", label.problem());

        InstanceProbe empty = InstanceProbe.from(0, parsed(0, sample("controldata/basebackup-fresh.txt"),
                List.of("@@whpg backup_label")));
        assertEquals("backup_label: missing field \"START WAL LOCATION\"", empty.problem());

        InstanceProbe manifest = InstanceProbe.from(0, parsed(0, sample("controldata/basebackup-fresh.txt"),
                Reports.concat(Reports.label("backup/backup_label"), List.of("@@whpg backup_end \"End-LSN\": \"0/\""))));
        assertEquals("backup_manifest End-LSN: malformed LSN \"0/\": expected X/Y in hex", manifest.problem());
    }
}
