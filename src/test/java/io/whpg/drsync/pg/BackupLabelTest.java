package io.whpg.drsync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** backup_label, the archived backup history file and backup_manifest of one real pg_basebackup -X none run. */
class BackupLabelTest {
    private static final String LABEL = PgSamples.read("backup/backup_label");
    private static final String HISTORY = PgSamples.read("backup/000000010000000000000002.00000028.backup");
    private static final String MANIFEST = PgSamples.read("backup/backup_manifest");

    @Test
    void parsesARealBackupLabel() {
        assertEquals(new BackupLabel(Lsn.parse("0/2000028"), Lsn.parse("0/2000060"), 1, "pg_basebackup base backup"),
                BackupLabel.parse(LABEL));
    }

    @Test
    void parsesARealBackupHistoryFile() {
        assertEquals(new BackupHistory(Lsn.parse("0/2000028"), Lsn.parse("0/2000100"), Lsn.parse("0/2000060"), 1, 1,
                "pg_basebackup base backup"), BackupHistory.parse(HISTORY));
    }

    @Test
    void parsesTheWalRangesOfARealManifest() {
        BackupManifest manifest = BackupManifest.parse(MANIFEST);
        assertEquals(List.of(new BackupManifest.WalRange(1, Lsn.parse("0/2000028"), Lsn.parse("0/2000100"))),
                manifest.walRanges());
        assertEquals(Lsn.parse("0/2000100"), manifest.end());
    }

    @Test
    void allThreeAgreeOnWhereTheCopyBecomesConsistent() {
        BackupLabel label = BackupLabel.parse(LABEL);
        BackupHistory history = BackupHistory.parse(HISTORY);
        BackupManifest manifest = BackupManifest.parse(MANIFEST);
        assertEquals(label.startWal(), history.startWal());
        assertEquals(label.startWal(), manifest.walRanges().get(0).start());
        assertEquals(history.stopWal(), manifest.end());
    }

    @Test
    void theLatestEndOfSeveralRangesCounts() {
        BackupManifest manifest = BackupManifest.parse("{\"WAL-Ranges\": ["
                + "{\"Timeline\": 2, \"Start-LSN\": \"0/5000118\", \"End-LSN\": \"80000000/10\"},"
                + "{\"Timeline\": 1, \"Start-LSN\": \"0/4000028\", \"End-LSN\": \"0/5000118\"}]}");
        assertEquals(Lsn.parse("80000000/10"), manifest.end());
        assertEquals(2, manifest.walRanges().size());
    }

    @Test
    void theHistoryFileIsNamedAfterTheWalFileAndOffsetOfTheBackupsStart() {
        // as archived by real PostgreSQL 15 (16 MB segments) and real Greenplum 7 (64 MB segments)
        assertEquals("000000010000000000000002.00000028.backup", BackupHistory.fileName(Lsn.parse("0/2000028"), 1, 16L << 20));
        assertEquals("000000010000000000000003.00000028.backup", BackupHistory.fileName(
                BackupHistory.parse(PgSamples.read("backup/gp7/000000010000000000000003.00000028.backup")).startWal(), 1, 64L << 20));
        // past 4 GB, mid-segment, on a later timeline
        assertEquals("0000000300000001000000FF.00FFF0A8.backup", BackupHistory.fileName(Lsn.parse("1/FFFFF0A8"), 3, 16L << 20));
        assertEquals("00000001000000010000003F.03FFF0A8.backup", BackupHistory.fileName(Lsn.parse("1/FFFFF0A8"), 1, 64L << 20));
    }

    @Test
    void aMissingFieldIsNamed() {
        assertEquals("backup_label: missing field \"START TIMELINE\"", assertThrows(IllegalArgumentException.class,
                () -> BackupLabel.parse(LABEL.replace("START TIMELINE: 1\n", ""))).getMessage());
        assertEquals("backup_label: missing field \"CHECKPOINT LOCATION\"", assertThrows(IllegalArgumentException.class,
                () -> BackupLabel.parse(LABEL.replace("CHECKPOINT LOCATION", "CHECKPOINT"))).getMessage());
        assertEquals("backup history file: missing field \"STOP WAL LOCATION\"", assertThrows(IllegalArgumentException.class,
                () -> BackupHistory.parse(LABEL)).getMessage());
    }

    @Test
    void aBadValueIsNamedWithItsField() {
        assertEquals("backup_label field \"START WAL LOCATION\": malformed LSN \"0/20000Z8\": expected X/Y in hex",
                assertThrows(IllegalArgumentException.class,
                        () -> BackupLabel.parse(LABEL.replace("0/2000028", "0/20000Z8"))).getMessage());
        assertEquals("backup_label field \"START TIMELINE\": expected a timeline ID (unsigned 32-bit number), got \"x\"",
                assertThrows(IllegalArgumentException.class,
                        () -> BackupLabel.parse(LABEL.replace("START TIMELINE: 1", "START TIMELINE: x"))).getMessage());
        assertEquals("backup history file: STOP WAL LOCATION 0/1000000 is before START WAL LOCATION 0/2000028",
                assertThrows(IllegalArgumentException.class,
                        () -> BackupHistory.parse(HISTORY.replace("STOP WAL LOCATION: 0/2000100", "STOP WAL LOCATION: 0/1000000")))
                        .getMessage());
    }

    @Test
    void aBadManifestSaysWhatIsWrongOnOneLine() {
        assertEquals("backup_manifest: missing array \"WAL-Ranges\"",
                assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse("{\"Files\": []}")).getMessage());
        assertEquals("backup_manifest: missing array \"WAL-Ranges\"",
                assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse("")).getMessage());
        assertEquals("backup_manifest: WAL-Ranges is empty",
                assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse("{\"WAL-Ranges\": []}")).getMessage());
        assertEquals("backup_manifest WAL-Ranges[0]: missing text field \"End-LSN\"",
                assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse(
                        "{\"WAL-Ranges\": [{\"Timeline\": 1, \"Start-LSN\": \"0/1\"}]}")).getMessage());
        assertEquals("backup_manifest WAL-Ranges[1] \"Start-LSN\": malformed LSN \"0/\": expected X/Y in hex",
                assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse("{\"WAL-Ranges\": ["
                        + "{\"Timeline\": 1, \"Start-LSN\": \"0/1\", \"End-LSN\": \"0/2\"},"
                        + "{\"Timeline\": 2, \"Start-LSN\": \"0/\", \"End-LSN\": \"0/3\"}]}")).getMessage());
        assertEquals("backup_manifest WAL-Ranges[0]: \"Timeline\" must be a timeline ID, got \"1\"",
                assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse(
                        "{\"WAL-Ranges\": [{\"Timeline\": \"1\", \"Start-LSN\": \"0/1\", \"End-LSN\": \"0/2\"}]}")).getMessage());
        assertEquals("backup_manifest WAL-Ranges[0]: \"Timeline\" must be a timeline ID, got 0",
                assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse(
                        "{\"WAL-Ranges\": [{\"Timeline\": 0, \"Start-LSN\": \"0/1\", \"End-LSN\": \"0/2\"}]}")).getMessage());
        String truncated = MANIFEST.substring(0, MANIFEST.indexOf("WAL-Ranges"));
        String message = assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse(truncated)).getMessage();
        assertTrue(message.startsWith("backup_manifest is not valid JSON: "), message);
        assertEquals(-1, message.indexOf('\n'), message);
    }
}
