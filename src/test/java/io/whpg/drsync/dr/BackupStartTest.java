package io.whpg.drsync.dr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.whpg.drsync.pg.BackupHistory;
import io.whpg.drsync.pg.BackupLabel;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.PgSamples;
import org.junit.jupiter.api.Test;

/** The backup history file of a real Greenplum 7 pg_basebackup, matched to the copy's own backup_label. */
class BackupStartTest {
    private static final long MB64 = 64L << 20;
    private static final String NAME = "000000010000000000000003.00000028.backup";
    private static final String HISTORY = PgSamples.read("backup/gp7/" + NAME);
    private static final BackupStart FRESH = BackupStart.of(BackupLabel.parse(PgSamples.read("backup/gp7/backup_label")));

    private static String mismatch(String name, String content) {
        return assertThrows(IllegalArgumentException.class, () -> FRESH.match(name, content, MB64)).getMessage();
    }

    @Test
    void theCopysOwnHistoryFileGivesTheBackupsEnd() {
        assertEquals(NAME, FRESH.historyFileName(MB64));
        BackupHistory h = FRESH.match(NAME, HISTORY, MB64);
        assertEquals(Lsn.parse("0/C000100"), h.stopWal());
        assertEquals(Lsn.parse("0/C000028"), h.startWal());
    }

    @Test
    void aHistoryFileUnderAnotherNameIsRefused() {
        // the same backup's file, archived under a name its START WAL LOCATION does not give (16 MB naming)
        assertEquals("its START WAL LOCATION 0/C000028 on timeline 1 belongs to " + NAME + ", not to this file name",
                mismatch("00000001000000000000000C.00000028.backup", HISTORY));
    }

    @Test
    void anotherBackupsHistoryFileIsRefusedByTheFirstFieldThatDiffers() {
        assertEquals("its LABEL \"nightly\" differs from backup_label's \"pg_basebackup base backup\": it is another backup's",
                mismatch(NAME, HISTORY.replace("LABEL: pg_basebackup base backup", "LABEL: nightly")));
        assertEquals("its CHECKPOINT LOCATION 0/C000098 differs from backup_label's 0/C000060: it is another backup's",
                mismatch(NAME, HISTORY.replace("CHECKPOINT LOCATION: 0/C000060", "CHECKPOINT LOCATION: 0/C000098")));
        // a backup of another segment that started at the same place: the name matches, the label cannot
        String otherStart = PgSamples.read("backup/000000010000000000000002.00000028.backup");
        assertEquals("its START WAL LOCATION 0/2000028 on timeline 1 belongs to 000000010000000000000000.02000028.backup, "
                + "not to this file name", mismatch(NAME, otherStart));
    }

    @Test
    void withoutBackupLabelTheStartAndTimelineMustAgree() {
        BackupStart fromControl = new BackupStart(Lsn.parse("0/C000028"), 1, null);
        assertEquals(Lsn.parse("0/C000100"), fromControl.match(NAME, HISTORY.replace("LABEL: pg_basebackup base backup",
                "LABEL: anything"), MB64).stopWal());
        assertEquals("stopped before reaching the end of its base backup (started at 0/C000028)", fromControl.describe());
        BackupStart otherTimeline = new BackupStart(Lsn.parse("0/C000028"), 2, null);
        assertEquals("000000020000000000000003.00000028.backup", otherTimeline.historyFileName(MB64));
        assertEquals("its START TIMELINE 1 differs from pg_control's 2: it is another backup's", assertThrows(
                IllegalArgumentException.class, () -> otherTimeline.match(NAME, HISTORY, MB64)).getMessage());
    }

    @Test
    void aTornHistoryFileSaysWhichFieldIsMissing() {
        assertEquals("backup history file: missing field \"STOP WAL LOCATION\"",
                mismatch(NAME, HISTORY.replaceAll("STOP WAL LOCATION.*\n", "")));
        assertEquals("backup history file: missing field \"START WAL LOCATION\"", mismatch(NAME, ""));
    }
}
