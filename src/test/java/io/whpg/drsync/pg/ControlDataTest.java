package io.whpg.drsync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Samples are real pg_controldata output, see controldata/README.txt. */
class ControlDataTest {
    private static final String PARKED = PgSamples.read("controldata/shut-down-in-recovery.txt");

    @Test
    void aDrInstanceParkedAtItsRestorePoint() {
        ControlData parked = ControlData.parse(PARKED);
        assertEquals(new ControlData("shut down in recovery", "7712620026465536620",
                Lsn.parse("0/3000060"), Lsn.parse("0/3000028"), 1,
                Lsn.parse("0/3016120"), 1, Lsn.ZERO, Lsn.ZERO, 16L << 20, 8192), parked);
        assertTrue(parked.isShutDownInRecovery());
        assertFalse(parked.isShutDown());
        assertFalse(parked.isInProduction());
    }

    @Test
    void aRunningPrimary() {
        ControlData running = ControlData.parse(PgSamples.read("controldata/primary-running.txt"));
        assertEquals("in production", running.clusterState());
        assertTrue(running.isInProduction());
        assertFalse(running.isShutDownInRecovery());
        assertEquals(Lsn.parse("0/1500708"), running.latestCheckpoint());
        assertEquals(Lsn.ZERO, running.minRecoveryEnd());
        assertEquals(0, running.minRecoveryEndTimeline());
        assertEquals(1, running.latestCheckpointTimeline());
    }

    @Test
    void aCleanlyStoppedPrimary() {
        ControlData stopped = ControlData.parse(PgSamples.read("controldata/primary-shut-down.txt"));
        assertEquals("shut down", stopped.clusterState());
        assertTrue(stopped.isShutDown());
        assertFalse(stopped.isShutDownInRecovery());
        assertFalse(stopped.isInProduction());
        assertEquals(Lsn.parse("0/5000028"), stopped.latestCheckpointRedo());
        assertEquals("7712620026465536620", stopped.systemIdentifier());
    }

    @Test
    void aFreshBaseBackupCopyStillSaysInProduction() {
        ControlData copy = ControlData.parse(PgSamples.read("controldata/basebackup-fresh.txt"));
        assertTrue(copy.isInProduction());
        assertEquals(Lsn.parse("0/2000060"), copy.latestCheckpoint());
        assertEquals(Lsn.parse("0/2000028"), copy.latestCheckpointRedo());
        assertEquals(Lsn.ZERO, copy.minRecoveryEnd());
        // the copy's checkpoint is the one its backup_label names
        BackupLabel label = BackupLabel.parse(PgSamples.read("backup/backup_label"));
        assertEquals(label.checkpoint(), copy.latestCheckpoint());
        assertEquals(label.startWal(), copy.latestCheckpointRedo());
    }

    @Test
    void aClusterWith64MbSegments() {
        ControlData data = ControlData.parse(PgSamples.read("controldata/primary-64mb-shut-down.txt"));
        assertEquals(64L << 20, data.walSegmentSize());
        assertEquals(Lsn.parse("0/8000028"), data.latestCheckpointRedo());
        assertEquals("000000010000000000000002",
                WalFile.containing(data.latestCheckpointRedo(), data.latestCheckpointTimeline(), data.walSegmentSize()).name());
        assertEquals("7712620041504013268", data.systemIdentifier());
    }

    @Test
    void greenplumsWalBlockSizeIsAccepted() {
        assertEquals(32768, ControlData.parse(replace("WAL block size", "32768")).walBlockSize());
    }

    @Test
    void theSystemIdentifierIsUnsigned64Bit() {
        assertEquals("18446744073709551615",
                ControlData.parse(replace("Database system identifier", "18446744073709551615")).systemIdentifier());
        assertEquals("pg_controldata output field \"Database system identifier\": expected an unsigned 64-bit number, got \"18446744073709551616\"",
                assertThrows(IllegalArgumentException.class,
                        () -> ControlData.parse(replace("Database system identifier", "18446744073709551616"))).getMessage());
        assertEquals("pg_controldata output field \"Database system identifier\": expected an unsigned 64-bit number, got \"-5\"",
                assertThrows(IllegalArgumentException.class,
                        () -> ControlData.parse(replace("Database system identifier", "-5"))).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Database cluster state", "Database system identifier", "Latest checkpoint location",
        "Latest checkpoint's REDO location", "Latest checkpoint's TimeLineID", "Minimum recovery ending location",
        "Min recovery ending loc's timeline", "Backup start location", "Backup end location", "Bytes per WAL segment",
        "WAL block size"})
    void aMissingFieldIsNamed(String field) {
        String output = PARKED.lines().filter(l -> !l.startsWith(field + ":")).collect(Collectors.joining("\n"));
        assertEquals("pg_controldata output: missing field \"" + field + "\"",
                assertThrows(IllegalArgumentException.class, () -> ControlData.parse(output)).getMessage());
    }

    @Test
    void translatedOutputIsRefusedByItsFirstMissingField() {
        String german = "pg_control-Versionsnummer:              1300\n"
                + "Datenbanksystemidentifikation:          7712620026465536620\n"
                + "Datenbank-Cluster-Status:               heruntergefahren\n";
        assertEquals("pg_controldata output: missing field \"Database system identifier\"",
                assertThrows(IllegalArgumentException.class, () -> ControlData.parse(german)).getMessage());
    }

    @Test
    void badValuesAreNamedWithTheirField() {
        assertEquals("pg_controldata output field \"Minimum recovery ending location\": malformed LSN \"0/XYZ\": expected X/Y in hex",
                assertThrows(IllegalArgumentException.class,
                        () -> ControlData.parse(replace("Minimum recovery ending location", "0/XYZ"))).getMessage());
        assertEquals("pg_controldata output field \"Latest checkpoint's TimeLineID\": expected a timeline ID (unsigned 32-bit number), got \"one\"",
                assertThrows(IllegalArgumentException.class,
                        () -> ControlData.parse(replace("Latest checkpoint's TimeLineID", "one"))).getMessage());
        assertEquals("pg_controldata output field \"Bytes per WAL segment\": expected a number, got \"16MB\"",
                assertThrows(IllegalArgumentException.class,
                        () -> ControlData.parse(replace("Bytes per WAL segment", "16MB"))).getMessage());
        assertEquals("pg_controldata output field \"Bytes per WAL segment\": invalid WAL segment size 3000000 bytes: "
                        + "expected a power of two from 1 MB (1048576) to 1 GB (1073741824)",
                assertThrows(IllegalArgumentException.class,
                        () -> ControlData.parse(replace("Bytes per WAL segment", "3000000"))).getMessage());
        assertEquals("pg_controldata output field \"WAL block size\": expected a power of two from 1024 to 65536, got 8000",
                assertThrows(IllegalArgumentException.class,
                        () -> ControlData.parse(replace("WAL block size", "8000"))).getMessage());
    }

    @Test
    void aDuplicatedFieldIsRefused() {
        assertEquals("pg_controldata output line 5: field \"Database cluster state\" appears twice",
                assertThrows(IllegalArgumentException.class, () -> ControlData.parse(
                        PARKED.replace("pg_control last modified:", "Database cluster state:"))).getMessage());
    }

    @Test
    void untrustworthyOutputIsRefused() {
        String corrupt = "WARNING: Calculated CRC checksum does not match value stored in file.\n"
                + "Either the file is corrupt, or it has a different layout than this program\n"
                + "is expecting.  The results below are untrustworthy.\n\n" + PARKED;
        assertEquals("pg_controldata output: pg_control's CRC does not match, its values are untrustworthy",
                assertThrows(IllegalArgumentException.class, () -> ControlData.parse(corrupt)).getMessage());
    }

    /** The parked sample with one field's value replaced. */
    private static String replace(String field, String value) {
        String result = PARKED.lines().map(l -> l.startsWith(field + ":") ? field + ":  " + value : l)
                .collect(Collectors.joining("\n"));
        if (result.equals(PARKED.strip())) {
            throw new IllegalStateException("sample has no field " + field);
        }
        return result;
    }
}
