package io.whpg.drsync.dr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.whpg.drsync.archive.CamelWalArchive;
import io.whpg.drsync.archive.LocalDirectoryArchive;
import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.pg.BackupLabel;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.PgSamples;
import io.whpg.drsync.route.ArchiveRoutes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup's end read through the real archive backend: the default Camel route over a directory per content id,
 * holding the real backup history file of a Greenplum 7 pg_basebackup (backup/gp7/).
 */
class ArchivedBackupEndsTest {
    private static final long MB64 = 64L << 20;
    private static final String NAME = "000000010000000000000003.00000028.backup";
    private static final BackupStart FRESH = BackupStart.of(BackupLabel.parse(PgSamples.read("backup/gp7/backup_label")));
    private static final String PREFIX = "instance -1 (host dr1, data dir /data/qd): fresh base backup (backup_label: START WAL "
            + "LOCATION 0/C000028, LABEL \"pg_basebackup base backup\") without a backup_manifest: ";

    @TempDir
    Path archiveDir;
    private DefaultCamelContext camel;
    private ProducerTemplate template;
    private ArchivedBackupEnds ends;

    @BeforeEach
    void startTheArchiveRoute() throws Exception {
        camel = new DefaultCamelContext();
        camel.addRoutes(new ArchiveRoutes("archive-local", ArchiveRoutes.LOCAL_URI, new LocalDirectoryArchive(seg -> archiveDir.resolve(String.valueOf(seg)))));
        camel.start();
        template = camel.createProducerTemplate();
        WalArchive archive = new CamelWalArchive(() -> template, ArchiveRoutes.LOCAL_URI);
        ends = new ArchivedBackupEnds(archive, seg -> "instance " + seg + " (host dr1, data dir /data/qd)");
    }

    @AfterEach
    void stop() throws Exception {
        camel.close();
    }

    private Path archiveOf(int seg) throws Exception {
        return Files.createDirectories(archiveDir.resolve(String.valueOf(seg)));
    }

    private String refusal() {
        return assertThrows(NotParkedException.class, () -> ends.find(-1, FRESH, MB64)).getMessage();
    }

    @Test
    void theStopWalLocationOfTheCopysHistoryFile() throws Exception {
        Files.writeString(archiveOf(-1).resolve(NAME), PgSamples.read("backup/gp7/" + NAME));
        Files.writeString(archiveOf(-1).resolve("000000010000000000000003"), "");
        assertEquals(Lsn.parse("0/C000100"), ends.find(-1, FRESH, MB64).stopWal());
    }

    @Test
    void aMissingHistoryFileIsNamedWithTheOnesTheArchiveHolds() throws Exception {
        Files.writeString(archiveOf(-1).resolve("000000010000000000000003"), "");
        assertEquals(PREFIX + "its backup history file " + NAME + " is missing from the WAL archive: cannot tell where "
                + "the backup ends, so which restore points it can reach", refusal());
        // the archive of another DR copy's backup
        Files.writeString(archiveOf(-1).resolve("000000010000000000000002.00000028.backup"),
                PgSamples.read("backup/000000010000000000000002.00000028.backup"));
        assertEquals(PREFIX + "its backup history file " + NAME + " is missing from the WAL archive (which holds only "
                + "000000010000000000000002.00000028.backup): cannot tell where the backup ends, so which restore points "
                + "it can reach", refusal());
    }

    @Test
    void aHistoryFileOfAnotherBackupUnderTheRightNameIsRefused() throws Exception {
        Files.writeString(archiveOf(-1).resolve(NAME), PgSamples.read("backup/gp7/" + NAME)
                .replace("LABEL: pg_basebackup base backup", "LABEL: last week"));
        assertEquals(PREFIX + "backup history file " + NAME + " in the WAL archive: its LABEL \"last week\" differs from "
                + "backup_label's \"pg_basebackup base backup\": it is another backup's", refusal());
    }

    @Test
    void anArchiveThatCannotBeListedIsNamedWithoutCamelsWrapper() {
        assertEquals(PREFIX + "cannot list its WAL archive to find the backup history file " + NAME + ": archive directory "
                + "of segment -1 does not exist: " + archiveDir.resolve("-1"), refusal());
    }

    @Test
    void aHistoryFileThatCannotBeReadIsNamed() throws Exception {
        Files.createDirectories(archiveOf(-1).resolve(NAME)); // a directory where the file should be
        String why = refusal();
        assertEquals(PREFIX + "cannot read backup history file " + NAME + " from the WAL archive: cannot read archive file "
                + archiveOf(-1).resolve(NAME) + ": not a regular file (a directory)", why);
    }
}
