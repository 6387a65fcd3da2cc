package io.whpg.drsync.sandbox;

import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.pg.BackupHistory;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.WalFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default sandbox (2 segments, 16 MB WAL, OUT-parameter gp_create_restore_point, gp_switch_wal). */
class SandboxIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());
    private static final List<Integer> CONTENTS = List.of(-1, 0, 1);
    private static final long WAL_SEGMENT = 16L * 1024 * 1024;
    private static final Pattern TEXT_ROW = Pattern.compile("\\((-?\\d+),([0-9A-F]+/[0-9A-F]+)\\)");
    private static final Pattern WALDUMP_LSN = Pattern.compile("lsn: ([0-9A-F]+/[0-9A-F]+)");

    @Test
    void upLeavesPrimariesRunningAndDrCopiesStoppedFreshFromTheirBaseBackups() throws IOException {
        Sandbox sandbox = SANDBOX.sandbox();
        SandboxStatus status = sandbox.status();
        assertEquals(CONTENTS, status.primaries().stream().map(SandboxStatus.InstanceStatus::contentId).toList());
        assertEquals(CONTENTS, status.drCopies().stream().map(SandboxStatus.InstanceStatus::contentId).toList());
        for (SandboxStatus.InstanceStatus p : status.primaries()) {
            assertTrue(p.running(), p + " should run");
            assertTrue(ProcessHandle.of(p.pid().orElseThrow()).map(ProcessHandle::isAlive).orElse(false));
            assertEquals("in production", p.clusterState());
        }
        for (SandboxStatus.InstanceStatus d : status.drCopies()) {
            Path data = d.dataDir();
            assertFalse(d.running(), d + " should be stopped");
            assertFalse(Files.exists(data.resolve("postmaster.pid")), data + " has a postmaster.pid");
            // A fresh base backup: pg_control copied from the primary, backup_label still there.
            assertEquals("in production", d.clusterState());
            assertTrue(Files.isRegularFile(data.resolve("standby.signal")));
            assertTrue(Files.readString(data.resolve("backup_label")).contains("START WAL LOCATION"));
            List<String> conf = Files.readAllLines(data.resolve("postgresql.conf"));
            assertEquals("include_if_exists = 'whpg_dr_sync.recovery.conf'", conf.get(conf.size() - 1));
            String settings = Files.readString(data.resolve("sandbox.conf"));
            assertTrue(settings.contains("archive_mode = off\n"), settings);
            assertTrue(settings.contains("port = " + d.port() + "\n"), settings);
            assertTrue(settings.contains("restore_command = 'cp " + sandbox.archiveDir(d.contentId()) + "/%f %p'"), settings);
        }
        for (int content : CONTENTS) {
            assertBackupEndArchived(sandbox.archiveDir(content));
        }
        String table = status.toTable();
        assertEquals(1 + 1 + 6, table.lines().count(), table);
        assertTrue(table.lines().skip(1).findFirst().orElseThrow().startsWith("CONTENT  ROLE"), table);
    }

    /** The archive holds the backup history file and, complete, the WAL file its STOP WAL LOCATION lies in. */
    private static void assertBackupEndArchived(Path archive) throws IOException {
        Path historyFile;
        try (Stream<Path> files = Files.list(archive)) {
            historyFile = files.filter(f -> f.getFileName().toString().endsWith(".backup")).findFirst()
                    .orElseThrow(() -> new AssertionError("no backup history file in " + archive));
        }
        BackupHistory history = BackupHistory.parse(Files.readString(historyFile));
        Path stopFile = archive.resolve(WalFile.containing(history.stopWal(), history.stopTimeline(), WAL_SEGMENT).name());
        assertTrue(Files.isRegularFile(stopFile), stopFile + " not archived");
        assertEquals(WAL_SEGMENT, Files.size(stopFile), stopFile + " incomplete");
    }

    @Test
    void configFileIsReadyToUse() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        assertEquals(SANDBOX.dir().resolve("dr_sync_config.json"), sandbox.configFile());
        DrSyncConfig config = ConfigLoader.load(sandbox.configFile());
        assertEquals(List.of(), config.warnings());
        assertEquals(sandbox.primary(-1).port(), config.primary().port());
        assertEquals(sandbox.serviceUser(), config.primary().user());
        assertEquals("", config.primary().utilityOptions());
        assertEquals(16, config.behavior().walSegmentSizeMb());
        List<Instance> instances = config.dr().instances();
        assertEquals(3, instances.size());
        for (int i = 0; i < 3; i++) {
            SandboxInstance copy = sandbox.drCopies().get(i);
            assertEquals(copy.contentId(), instances.get(i).gpSegmentId());
            assertEquals(copy.port(), instances.get(i).port());
            assertEquals(copy.dataDir().toString(), instances.get(i).dataDir());
            assertEquals(sandbox.archiveDir(copy.contentId()), config.archive().dirFor(copy.contentId()));
        }
        for (Path dir : List.of(config.dr().stateDir(), config.dr().receiptsDir(), config.storage().manifestDir())) {
            assertTrue(Files.isWritable(dir), dir.toString());
        }
    }

    @Test
    void restorePointIsCreatedOnEveryInstanceAndReadableAsText() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        Map<Integer, String> before = new HashMap<>();
        for (int content : CONTENTS) {
            before.put(content, query(sandbox, content, "SELECT pg_current_wal_insert_lsn()").get(0));
        }
        List<String> rows = query(sandbox, -1, "SELECT (gp_create_restore_point('t1'))::text");
        assertEquals(3, rows.size(), rows.toString());
        List<Integer> contents = new ArrayList<>();
        for (String row : rows) {
            Matcher m = TEXT_ROW.matcher(row);
            assertTrue(m.matches(), row);
            int content = Integer.parseInt(m.group(1));
            contents.add(content);
            // A commit flushes the WAL past the restore point so that pg_waldump can read it.
            query(sandbox, content, "INSERT INTO dr_probe (note) VALUES ('after t1') RETURNING id");
            String after = query(sandbox, content, "SELECT pg_current_wal_flush_lsn()").get(0);
            assertRestorePointRecordEndsAt(sandbox.primary(content), "t1", before.get(content), after, Lsn.parse(m.group(2)));
        }
        assertEquals(CONTENTS, contents, "coordinator first, then segments by content id");

        try (Connection c = sandbox.connectPrimary(-1); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM gp_create_restore_point('t2')")) {
            assertEquals("gp_segment_id", rs.getMetaData().getColumnName(1));
            assertEquals("restore_lsn", rs.getMetaData().getColumnName(2));
            int n = 0;
            while (rs.next()) {
                assertEquals(CONTENTS.get(n++), rs.getInt("gp_segment_id"));
            }
            assertEquals(3, n);
        }
    }

    /** pg_waldump shows the named RESTORE_POINT record on that instance, ending at the returned LSN. */
    private static void assertRestorePointRecordEndsAt(SandboxInstance p, String name, String from, String to,
                                                       Lsn returned) {
        CommandResult dump = ProcessRunner.run(List.of(Sandbox.PG_BIN.resolve("pg_waldump").toString(),
                "-p", p.dataDir().resolve("pg_wal").toString(), "-s", from, "-e", to), p.osUser(), Duration.ofSeconds(30));
        List<String> records = dump.stdout().lines().filter(l -> l.startsWith("rmgr:")).toList();
        int at = -1;
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).endsWith("desc: RESTORE_POINT " + name)) {
                at = i;
            }
        }
        assertTrue(at >= 0 && at + 1 < records.size(), p.name() + ": no RESTORE_POINT " + name + " followed by"
                + " another record in " + from + ".." + to + ":\n" + dump.stdout() + dump.stderr());
        Lsn recordStart = waldumpLsn(records.get(at));
        Lsn nextStart = waldumpLsn(records.get(at + 1));
        assertTrue(recordStart.isBefore(returned) && !returned.isAfter(nextStart), p.name() + ": restore LSN "
                + returned + " is not the end of " + records.get(at));
    }

    @Test
    void switchWalSwitchesEveryInstanceAndItsFileGetsArchived() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        // Fresh WAL on every instance, so that every switch really closes a file.
        for (int content : CONTENTS) {
            query(sandbox, content, "INSERT INTO dr_probe (note) VALUES ('before switch') RETURNING id");
        }
        List<String[]> rows = new ArrayList<>();
        try (Connection c = sandbox.connectPrimary(-1); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM gp_switch_wal()")) {
            assertEquals("pg_switch_wal", rs.getMetaData().getColumnName(2));
            assertEquals("pg_walfile_name", rs.getMetaData().getColumnName(3));
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        assertEquals(3, rows.size());
        for (int i = 0; i < 3; i++) {
            int content = Integer.parseInt(rows.get(i)[0]);
            assertEquals(CONTENTS.get(i), content);
            String walFile = WalFile.containing(Lsn.parse(rows.get(i)[1]), 1, WAL_SEGMENT).name();
            assertEquals(walFile, rows.get(i)[2]);
            awaitArchived(sandbox, content, walFile);
            assertEquals(WAL_SEGMENT, Files.size(sandbox.archiveDir(content).resolve(walFile)));
        }
    }

    private static void awaitArchived(Sandbox sandbox, int content, String walFile) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            String last = query(sandbox, content, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").get(0);
            if (last.length() >= 24 && last.substring(0, 24).compareTo(walFile) >= 0) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "content " + content + ": " + walFile + " not archived, last " + last);
            Thread.sleep(50);
        }
    }

    @Test
    void segmentConfigurationListsEveryPrimary() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        List<String> rows = query(sandbox, -1,
                "SELECT concat_ws(' ', dbid, content, concat(role, preferred_role, mode, status), port, address, datadir)"
                        + " FROM gp_segment_configuration ORDER BY dbid");
        List<String> expected = new ArrayList<>();
        int dbid = 1;
        for (SandboxInstance p : sandbox.primaries()) {
            expected.add(dbid++ + " " + p.contentId() + " ppnu " + p.port() + " 127.0.0.1 " + p.dataDir());
        }
        assertEquals(expected, rows);
    }

    @Test
    void everyPrimaryHasTheProbeAndBulkTables() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        for (int content : CONTENTS) {
            assertEquals("20000", query(sandbox, content, "SELECT count(*) FROM dr_bulk").get(0));
            String id = query(sandbox, content, "INSERT INTO dr_probe (note) VALUES ('probe') RETURNING id").get(0);
            assertEquals("probe", query(sandbox, content, "SELECT note FROM dr_probe WHERE id = " + id).get(0));
        }
    }

    @Test
    void openFindsTheSameSandbox() throws IOException {
        Sandbox sandbox = SANDBOX.sandbox();
        Sandbox reopened = Sandbox.open(SANDBOX.dir());
        assertEquals(sandbox.primaries(), reopened.primaries());
        assertEquals(sandbox.drCopies(), reopened.drCopies());
        assertEquals(sandbox.serviceUser(), reopened.serviceUser());
        assertEquals(sandbox.options(), reopened.options());
        assertEquals(sandbox.status().primaries().stream().map(s -> s.pid()).toList(),
                reopened.status().primaries().stream().map(s -> s.pid()).toList());
    }

    static List<String> query(Sandbox sandbox, int content, String sql) throws SQLException {
        try (Connection c = sandbox.connectPrimary(content); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }

    private static Lsn waldumpLsn(String record) {
        Matcher m = WALDUMP_LSN.matcher(record);
        assertTrue(m.find(), record);
        return Lsn.parse(m.group(1));
    }
}
