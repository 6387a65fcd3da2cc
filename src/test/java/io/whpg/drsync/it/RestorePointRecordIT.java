package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.archive.LocalDirectoryArchive;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.RestorePointRecord;
import io.whpg.drsync.testing.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link RestorePointRecord} on WAL written by real servers: a PostgreSQL 15 cluster made here (8 KB WAL blocks,
 * 16 MB segments) and a Greenplum 7 coordinator (32 KB blocks, 64 MB segments); a restore point, one whose record
 * crosses a page boundary, a COMMIT record's end and a wrong name, read from the server's pg_wal.
 */
class RestorePointRecordIT {
    private static final Duration BOUND = Duration.ofSeconds(60);

    /** Byte ranges of the WAL files in one pg_wal directory, read as the archive backend reads them. */
    private static RestorePointRecord.Pages filesIn(Path walDir) {
        LocalDirectoryArchive dir = new LocalDirectoryArchive(id -> walDir);
        return (name, offset, length) -> dir.readRange(0, name, offset, length);
    }

    private static String one(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    /**
     * Pads the WAL with logical messages until the next record starts within the last 96 bytes of a WAL page, then
     * makes a restore point there: its 98-byte record crosses into the next page.
     */
    private static Lsn restorePointAcrossAPage(Connection c, String name, int blockSize) throws Exception {
        for (int attempt = 0; attempt < 200; attempt++) {
            long at = Lsn.parse(one(c, "SELECT pg_current_wal_insert_lsn()")).value();
            long toEnd = blockSize - at % blockSize;
            if (toEnd >= 40 && toEnd <= 96) {
                Lsn end = Lsn.parse(one(c, "SELECT pg_create_restore_point('" + name + "')"));
                flush(c);
                if (end.value() / blockSize != at / blockSize) {
                    return end;
                }
                continue;
            }
            // a logical message of n bytes takes about 52 + n: aim at 64 bytes before the page end, else into the next page
            long n = toEnd > 130 ? toEnd - 64 - 52 : toEnd + 100;
            one(c, "SELECT pg_logical_emit_message(false, 'p', repeat('x', " + n + "))");
        }
        throw new AssertionError("could not place a restore point across a page boundary");
    }

    /** A committed transaction flushes the WAL before it to pg_wal, where the test reads it. */
    private static void flush(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS flush_probe(i int)");
            s.execute("INSERT INTO flush_probe VALUES (1)");
        }
    }

    private static void assertForgeriesRefused(Connection c, Path walDir, long segmentSize, String sysid, Lsn real,
                                               String name) throws Exception {
        RestorePointRecord.Pages pages = filesIn(walDir);
        String wrongName = assertThrows(IllegalArgumentException.class,
                () -> RestorePointRecord.verify(real, 1, segmentSize, name + "_other", sysid, pages)).getMessage();
        assertTrue(wrongName.endsWith(" is the restore point \"" + name + "\", not " + name + "_other"), wrongName);
        String otherSystem = assertThrows(IllegalArgumentException.class,
                () -> RestorePointRecord.verify(real, 1, segmentSize, name, "42", pages)).getMessage();
        assertTrue(otherSystem.contains(": WAL of database system " + sysid + ", not 42"), otherSystem);
        // the end of a COMMIT record: what a forged manifest's LSN moved to a commit would name
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS forged_probe(i int)");
            s.execute("INSERT INTO forged_probe VALUES (1)");
        }
        Lsn commitEnd = Lsn.parse(one(c, "SELECT pg_current_wal_insert_lsn()"));
        flush(c);
        String notRp = assertThrows(IllegalArgumentException.class,
                () -> RestorePointRecord.verify(commitEnd, 1, segmentSize, name, sysid, pages)).getMessage();
        assertTrue(notRp.startsWith("the record ending at " + commitEnd), notRp);
    }

    @Test
    void postgresql15RestorePointsAreProvenAndForgeriesRefused() throws Exception {
        Requires.postgresql();
        Path root = Files.createTempDirectory("harden-wal-");
        Path data = root.resolve("data");
        int port = 17_431;
        run(null, "chown postgres " + root);
        run("postgres", Requires.PG_BIN + "/initdb -D " + data + " >/dev/null && " + Requires.PG_BIN + "/pg_ctl start -w -D "
                + data + " -l " + root + "/log -o '-c port=" + port + " -c listen_addresses=127.0.0.1' >/dev/null");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres")) {
            String sysid = one(c, "SELECT system_identifier FROM pg_control_system()");
            Path wal = data.resolve("pg_wal");
            Lsn plain = Lsn.parse(one(c, "SELECT pg_create_restore_point('sync_point_20261205_140000')"));
            flush(c);
            RestorePointRecord.verify(plain, 1, 16L << 20, "sync_point_20261205_140000", sysid, filesIn(wal));
            Lsn crossing = restorePointAcrossAPage(c, "sync_point_20261205_140100", 8192);
            assertTrue(crossing.value() % 8192 < 104, "the record ends early in its page: " + crossing);
            RestorePointRecord.verify(crossing, 1, 16L << 20, "sync_point_20261205_140100", sysid, filesIn(wal));
            assertForgeriesRefused(c, wal, 16L << 20, sysid, plain, "sync_point_20261205_140000");
        } finally {
            run("postgres", Requires.PG_BIN + "/pg_ctl stop -m immediate -D " + data + " >/dev/null");
            run(null, "rm -rf " + root);
        }
    }

    @Test
    @ExtendWith(GreenplumCondition.class)
    void greenplum7RestorePointsAreProvenAndForgeriesRefused() throws Exception {
        try (GreenplumLab lab = GreenplumLab.up(1); Connection c = lab.connectPrimary(-1)) {
            String sysid = one(c, "SELECT system_identifier FROM pg_control_system()");
            Path wal = lab.primaryDataDir(-1).resolve("pg_wal");
            long segmentSize = 64L << 20;
            Lsn plain = Lsn.parse(one(c, "SELECT pg_create_restore_point('sync_point_20261205_140200')"));
            flush(c);
            RestorePointRecord.verify(plain, 1, segmentSize, "sync_point_20261205_140200", sysid, filesIn(wal));
            Lsn crossing = restorePointAcrossAPage(c, "sync_point_20261205_140300", 32768);
            assertTrue(crossing.value() % 32768 < 104, "the record ends early in its page: " + crossing);
            RestorePointRecord.verify(crossing, 1, segmentSize, "sync_point_20261205_140300", sysid, filesIn(wal));
            assertForgeriesRefused(c, wal, segmentSize, sysid, plain, "sync_point_20261205_140200");
        }
    }

    private static void run(String user, String script) {
        CommandResult r = ProcessRunner.run(List.of("sh", "-c", script), user, BOUND);
        assertEquals(0, r.exitCode(), script + ": " + r.stdout() + r.stderr());
    }
}
