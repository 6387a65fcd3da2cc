package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The publisher's refusals on real Greenplum 7: every check that can fail runs before gp_create_restore_point,
 * so a refused publish leaves no RESTORE_POINT record in any instance's WAL and no manifest; each one is one
 * line naming the instance (content id, host:port) and the root cause, never a Camel wrapper. An idle cluster
 * gets a heartbeat instead of a point: no RESTORE_POINT, no WAL switch, no file archived.
 */
@ExtendWith(GreenplumCondition.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealGreenplumPublishIT {
    private static GreenplumLab lab;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void up() throws Exception {
        lab = GreenplumLab.up();
        cfg = ConfigLoader.load(lab.config());
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    /** What a publish leaves on disk and in the WAL: the manifests, LATEST.json and each running instance's WAL position. */
    private record Before(List<String> manifests, String latest, Map<Integer, String> lsns) {
    }

    private static Before before(List<Integer> running) throws Exception {
        Map<Integer, String> lsns = new TreeMap<>();
        for (int content : running) {
            try (Connection c = lab.connectPrimary(content); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                r.next();
                lsns.put(content, r.getString(1));
            }
        }
        String latest = Files.exists(cfg.storage().latestPath()) ? Files.readString(cfg.storage().latestPath()) : "";
        return new Before(manifests(), latest, lsns);
    }

    private static List<String> manifests() throws Exception {
        if (!Files.isDirectory(cfg.storage().manifestDir())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cfg.storage().manifestDir())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** pg_waldump of an instance's pg_wal from {@code from} to its end (which it reports as an error: exit 1 is expected). */
    private static String walSince(int content, String from) {
        CommandResult r = ProcessRunner.run(List.of("env", "LC_ALL=C", "LD_LIBRARY_PATH=" + lab.gpHome().resolve("lib"),
                lab.pgBin().resolve("pg_waldump").toString(), "-p", lab.primaryDataDir(content).resolve("pg_wal").toString(),
                "-s", from), lab.user(), Duration.ofMinutes(1), Map.of(), null);
        return r.stdout();
    }

    private static void assertNoPointLeftBehind(Before b) throws Exception {
        assertEquals(b.manifests(), manifests(), "no manifest written");
        assertEquals(b.latest(), Files.exists(cfg.storage().latestPath()) ? Files.readString(cfg.storage().latestPath()) : "");
        for (Map.Entry<Integer, String> e : b.lsns().entrySet()) {
            String wal = walSince(e.getKey(), e.getValue());
            assertFalse(wal.contains("RESTORE_POINT"), "content " + e.getKey() + " got a restore point:\n" + wal);
        }
    }

    private static void assertOneLine(String output) {
        assertEquals(1, output.strip().lines().count(), output);
        assertFalse(output.contains("Exception") || output.contains("Multicast") || output.contains("\tat "), output);
    }

    @Test
    @Order(1)
    void aHealthyClusterPublishesReadyAndPgWaldumpShowsItsRestorePoint() throws Exception {
        Before b = before(lab.contents());
        ItSupport.Run published = ItSupport.publish(lab.config());
        assertEquals(0, published.exitCode(), published.output());
        String point = ItSupport.latestReady(cfg);
        for (int content : lab.contents()) {
            String wal = walSince(content, b.lsns().get(content));
            assertTrue(wal.contains("RESTORE_POINT") && wal.contains(point), "content " + content + ":\n" + wal);
        }
    }

    @Test
    @Order(2)
    void aWrongWalSegmentSizeIsRefusedBeforeTheRestorePoint() throws Exception {
        Path wrong = ItSupport.withBehavior(lab.config(), "wal_segment_size_mb", 16);
        Before b = before(lab.contents());
        ItSupport.Run published = ItSupport.publish(wrong);
        assertEquals(1, published.exitCode(), published.output());
        String out = published.output();
        assertOneLine(out);
        assertTrue(out.contains("wal_segment_size_mismatch"), out);
        assertTrue(out.matches("(?s).*content (-1|0|1) \\(127\\.0\\.0\\.1:[0-9]+\\): wal_segment_size is 64 MB but"
                + " behavior\\.wal_segment_size_mb is 16.*"), out);
        assertNoPointLeftBehind(b);
    }

    private static String seg0(String sql) throws Exception {
        try (Connection c = lab.connectPrimary(0); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        }
    }

    private static void asServerUser(String... argv) {
        CommandResult r = ProcessRunner.run(List.of(argv), lab.user(), Duration.ofMinutes(1));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }

    private static void setArchiveCommand(String command) throws Exception {
        try (Connection c = lab.connectPrimary(0); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET archive_command = '" + command.replace("'", "''") + "'");
            s.execute("SELECT pg_reload_conf()");
        }
        long until = System.currentTimeMillis() + 10_000;
        while (!command.equals(seg0("SHOW archive_command")) && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        assertEquals(command, seg0("SHOW archive_command"));
    }

    /** Rows on every segment, then a WAL switch on content 0: the name of the file it completed. */
    private static String writeAndSwitchSeg0() throws Exception {
        try (Connection c = lab.connectCoordinator(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS gap_rows(id int) DISTRIBUTED BY (id)");
            s.execute("INSERT INTO gap_rows SELECT g FROM generate_series(1, 1000) g");
        }
        return seg0("SELECT pg_walfile_name(pg_switch_wal())");
    }

    private static void awaitSeg0(String sql) throws Exception {
        long until = System.currentTimeMillis() + 60_000;
        while (!"t".equals(seg0(sql)) && System.currentTimeMillis() < until) {
            Thread.sleep(100);
        }
        assertEquals("t", seg0(sql), sql);
    }

    @Test
    @Order(3)
    void aFailingArchiveCommandIsRefusedBeforeThePointNamingItsCountAndFile() throws Exception {
        String original = seg0("SHOW archive_command");
        setArchiveCommand("/bin/false");
        try {
            String file = writeAndSwitchSeg0();
            awaitSeg0("SELECT failed_count > 0 AND last_failed_wal = '" + file + "' FROM pg_stat_archiver");
            Before b = before(lab.contents());
            ItSupport.Run published = ItSupport.publish(lab.config());
            assertEquals(1, published.exitCode(), published.output());
            String out = published.output();
            assertOneLine(out);
            assertTrue(out.contains("archiver_failing: content 0 (127.0.0.1:" + lab.primaryPort(0) + "): archive_command"
                    + " failing (failed_count "), out);
            assertTrue(out.contains("last_failed_wal " + file + " at "), out);
            assertNoPointLeftBehind(b);
        } finally {
            setArchiveCommand(original);
        }
        awaitSeg0("SELECT last_archived_time > last_failed_time FROM pg_stat_archiver");
        ItSupport.Run published = ItSupport.publish(lab.config());
        assertEquals(0, published.exitCode(), published.output());
        ItSupport.latestReady(cfg);
    }

    @Test
    @Order(4)
    void aFileMissingFromTheArchiveBetweenThePreviousReadyPointAndThisOneLeavesItNotReadyUntilItIsBack() throws Exception {
        String previous = ItSupport.latestReady(cfg);
        String original = seg0("SHOW archive_command");
        Path aside = lab.dir().resolve("aside");
        CommandResult made = ProcessRunner.run(List.of("install", "-d", "-o", lab.user(), aside.toString()), null,
                Duration.ofMinutes(1));
        assertEquals(0, made.exitCode(), made.stderr());
        // The archiver reports the file done, but it went elsewhere: a hole in content 0's archive
        setArchiveCommand("cp %p " + aside + "/%f");
        String gap;
        try {
            gap = writeAndSwitchSeg0();
            awaitSeg0("SELECT last_archived_wal = '" + gap + "' FROM pg_stat_archiver");
        } finally {
            setArchiveCommand(original);
        }
        assertFalse(Files.exists(lab.archiveDir(0).resolve(gap)));
        ItSupport.Run published = ItSupport.publish(ItSupport.withBehavior(lab.config(), "publisher_wait_archive_secs", 3));
        assertEquals(1, published.exitCode(), published.output());
        String out = published.output();
        assertTrue(out.contains("NOT READY"), out);
        assertTrue(out.contains("content 0 (127.0.0.1:" + lab.primaryPort(0) + "): " + gap + " not proven archived: absent"
                + " from the archive although the archiver has passed it"), out);
        assertFalse(out.contains("content -1 (") || out.contains("content 1 ("), "only content 0 has a hole: " + out);
        assertTrue(Files.readString(cfg.storage().latestPath()).contains("\"ready\" : false"),
                Files.readString(cfg.storage().latestPath()));

        asServerUser("cp", aside.resolve(gap).toString(), lab.archiveDir(0).resolve(gap).toString());
        ItSupport.Run again = ItSupport.publish(lab.config());
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(!ItSupport.latestReady(cfg).equals(previous));
    }

    private static Map<Integer, List<String>> archives() throws Exception {
        Map<Integer, List<String>> out = new TreeMap<>();
        for (int content : lab.contents()) {
            try (Stream<Path> s = Files.list(lab.archiveDir(content))) {
                out.put(content, s.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
        return out;
    }

    @Test
    @Order(5)
    void anIdleClusterGetsAHeartbeatNoPointNoSwitchNoArchivedFileAndAChangeAPointAgain() throws Exception {
        try (Connection c = lab.connectCoordinator(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS idle_rows(id int) DISTRIBUTED BY (id)");
            s.execute("INSERT INTO idle_rows SELECT g FROM generate_series(1, 100) g");
        }
        ItSupport.Run first = ItSupport.publish(lab.config());
        assertEquals(0, first.exitCode(), first.output());
        String point = ItSupport.latestReady(cfg);
        Before b = before(lab.contents());
        Map<Integer, List<String>> archived = archives();
        for (int round = 1; round <= 2; round++) {
            ItSupport.Run idle = ItSupport.publish(lab.config());
            assertEquals(0, idle.exitCode(), idle.output());
            assertTrue(idle.output().contains(point + " READY, unchanged since it was published (checked at "), idle.output());
            String latest = Files.readString(cfg.storage().latestPath());
            assertTrue(latest.contains("\"restore_point\" : \"" + point + "\"") && latest.contains("\"unchanged_checked_at_utc\""),
                    latest);
        }
        assertEquals(b.manifests(), manifests(), "no new manifest");
        assertEquals(archived, archives(), "no new WAL file archived");
        for (Map.Entry<Integer, String> e : b.lsns().entrySet()) {
            String wal = walSince(e.getKey(), e.getValue());
            assertFalse(wal.contains("RESTORE_POINT") || wal.contains("SWITCH"), "content " + e.getKey() + ":\n" + wal);
        }

        try (Connection c = lab.connectCoordinator(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO idle_rows VALUES (101)");
        }
        ItSupport.Run changed = ItSupport.publish(lab.config());
        assertEquals(0, changed.exitCode(), changed.output());
        assertFalse(changed.output().contains("unchanged"), changed.output());
        assertTrue(!ItSupport.latestReady(cfg).equals(point));
        assertFalse(Files.readString(cfg.storage().latestPath()).contains("unchanged_checked_at_utc"));
    }

    @Test
    @Order(9)
    void aStoppedSegmentIsOneLineNamingItsContentAddressAndCauseAndLeavesNoPoint() throws Exception {
        lab.run("pg_ctl", "-w", "-D", lab.primaryDataDir(1).toString(), "-m", "fast", "stop");
        try {
            Before b = before(List.of(-1, 0));
            ItSupport.Run published = ItSupport.publish(lab.config());
            assertEquals(1, published.exitCode(), published.output());
            String out = published.output();
            assertOneLine(out);
            assertTrue(out.contains("primary_error"), out);
            assertTrue(out.contains("content 1 (127.0.0.1:" + lab.primaryPort(1) + "): Connection refused"), out);
            assertNoPointLeftBehind(b);
        } finally {
            lab.run("pg_ctl", "-w", "-D", lab.primaryDataDir(1).toString(), "-l",
                    lab.primaryDataDir(1).resolve("log/startup.log").toString(), "-o", "-c gp_role=execute", "start");
        }
    }
}
