package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code doctor} on a real sandbox: every check passes on a fresh one, and each broken setup (broken for real:
 * files moved, settings changed, a server's archiver failing) makes it exit 1 with a FAIL line naming the
 * check, the thing and the fix. Each test puts the sandbox back as it found it.
 */
class DoctorIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());

    private static Sandbox sandbox;
    private static Path config;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void fresh() throws Exception {
        sandbox = SANDBOX.sandbox();
        config = sandbox.configFile();
        cfg = ConfigLoader.load(config);
    }

    @Test
    void everyCheckPassesOnAFreshSandboxAndCheckIsAnAlias() {
        ToolProcess p = doctor(config);
        assertEquals(0, p.exitCode(), p.output());
        assertTrue(p.stdout().lines().noneMatch(l -> l.startsWith("FAIL")), p.stdout());
        for (String check : List.of("PASS config", "PASS primary reachable", "PASS gp_create_restore_point", "PASS WAL switch",
                "PASS utility mode seg 1", "PASS archiving seg 0", "PASS archiver seg -1", "PASS archive backend",
                "PASS pg_controldata seg 1", "PASS data dir seg 0", "PASS standby.signal seg -1", "PASS restore_command seg 1",
                "PASS archive_mode seg 0", "PASS free disk receipts_dir", "PASS signing key", "PASS manifest signatures")) {
            assertTrue(p.stdout().contains(check), check + " in:\n" + p.stdout());
        }
        ToolProcess alias = ToolProcess.run(Duration.ofSeconds(120), "check", "--role", "dr", "--config", config.toString());
        assertEquals(0, alias.exitCode(), alias.output());
        assertTrue(!alias.stdout().contains("primary reachable") && alias.stdout().contains("PASS standby.signal seg 0"),
                alias.stdout());
    }

    @Test
    void aConfigThatDoesNotParseIsTheFailingCheck() throws Exception {
        Path broken = config.resolveSibling("dr_sync_config.broken.json");
        Files.writeString(broken, "{\"primary\": ");
        assertFails(doctor(broken), "FAIL config: ");
    }

    @Test
    void anUnreachablePrimaryIsNamed() throws Exception {
        Path wrongPort = ItSupport.edited(config, "wrong-port", root -> ((ObjectNode) root.path("primary"))
                .put("port", freePortUnchecked()));
        assertFails(ToolProcess.run(Duration.ofSeconds(120), "doctor", "--role", "primary", "--config", wrongPort.toString()),
                "FAIL primary reachable: ");
    }

    @Test
    void aMissingArchiveDirectoryIsNamed() throws Exception {
        Path dir = cfg.archive().dirFor(1);
        Path hidden = dir.resolveSibling("hidden-1");
        Files.move(dir, hidden);
        try {
            assertFails(doctor(config), "FAIL archive backend: not a readable directory: " + dir);
        } finally {
            Files.move(hidden, dir);
        }
    }

    @Test
    void aMissingDrDataDirIsNamed() throws Exception {
        Path moved = ItSupport.edited(config, "no-data-dir", root -> instance(root, 2).put("data_dir", "/nonexistent/gpseg1"));
        assertFails(doctor(moved), "FAIL data dir seg 1: /nonexistent/gpseg1 missing");
    }

    @Test
    void aDataDirOwnedBySomeoneElseIsNamed() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "giving the data dir to root needs root");
        Path dir = sandbox.drCopy(0).dataDir();
        String owner = Files.getOwner(dir).getName();
        Path declared = ItSupport.edited(config, "os-user", root -> instance(root, 1).put("os_user", owner));
        ItSupport.runAs("root", "chown", "root", dir.toString());
        try {
            assertFails(doctor(declared), "FAIL data dir seg 0: " + dir + " owned by root, not " + owner);
        } finally {
            ItSupport.runAs("root", "chown", owner, dir.toString());
        }
    }

    @Test
    void aWrongPgBinIsNamed() throws Exception {
        Path wrongBin = ItSupport.edited(config, "pg-bin", root -> ((ObjectNode) root.path("dr")).put("pg_bin", "/nonexistent/bin"));
        assertFails(doctor(wrongBin), "FAIL pg_controldata seg -1: ");
    }

    @Test
    void aMissingStandbySignalIsNamed() throws Exception {
        Path signal = sandbox.drCopy(0).dataDir().resolve("standby.signal");
        Path aside = signal.resolveSibling("standby.signal.aside");
        Files.move(signal, aside);
        try {
            assertFails(doctor(config), "FAIL standby.signal seg 0: " + signal + " missing");
        } finally {
            Files.move(aside, signal);
        }
    }

    @Test
    void aMissingRestoreCommandIsNamed() throws Exception {
        withDrSetting(1, "restore_command = ''", "FAIL restore_command seg 1: not set");
    }

    @Test
    void archiveModeOnADrCopyIsNamed() throws Exception {
        withDrSetting(-1, "archive_mode = on", "FAIL archive_mode seg -1: on");
    }

    @Test
    void aFailingArchiverIsNamed() throws Exception {
        try (Connection c = sandbox.connectPrimary(0); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET archive_command = 'false'");
            s.execute("SELECT pg_reload_conf()");
            Thread.sleep(500);
            s.execute("CREATE TABLE IF NOT EXISTS doctor_probe(x int)");
            s.execute("INSERT INTO doctor_probe VALUES (1)");
            s.execute("SELECT pg_switch_wal()");
            awaitArchiver(s, "failed_count > 0");
            try {
                assertFails(ToolProcess.run(Duration.ofSeconds(120), "doctor", "--role", "primary", "--config", config.toString()),
                        "FAIL archiver seg 0: archive_command failing");
            } finally {
                s.execute("ALTER SYSTEM RESET archive_command");
                s.execute("SELECT pg_reload_conf()");
                awaitArchiver(s, "last_archived_time > coalesce(last_failed_time, '-infinity')");
            }
        }
    }

    private static void awaitArchiver(Statement s, String condition) throws Exception {
        for (long end = System.nanoTime() + Duration.ofSeconds(90).toNanos(); System.nanoTime() < end; Thread.sleep(200)) {
            try (ResultSet rs = s.executeQuery("SELECT " + condition + " FROM pg_stat_archiver")) {
                if (rs.next() && rs.getBoolean(1)) {
                    return;
                }
            }
        }
        throw new AssertionError("archiver never reached: " + condition);
    }

    /** Appends a setting to a DR copy's postgresql.conf (the last one wins), runs doctor, puts the file back. */
    private static void withDrSetting(int contentId, String setting, String expected) throws Exception {
        Path conf = sandbox.drCopy(contentId).dataDir().resolve("postgresql.conf");
        String original = Files.readString(conf);
        Files.writeString(conf, original + "\n" + setting + "\n");
        try {
            assertFails(doctor(config), expected);
        } finally {
            Files.writeString(conf, original);
        }
    }

    private static ToolProcess doctor(Path configFile) {
        return ToolProcess.run(Duration.ofSeconds(120), "doctor", "--config", configFile.toString());
    }

    private static void assertFails(ToolProcess p, String failLine) {
        assertEquals(1, p.exitCode(), p.output());
        assertTrue(p.stdout().lines().anyMatch(l -> l.startsWith(failLine) && l.contains(" -> fix: ")),
                "expected a line starting with \"" + failLine + "\" and a fix, in:\n" + p.stdout());
        assertTrue(p.stdout().lines().filter(l -> !l.isBlank()).allMatch(l -> l.startsWith("PASS ") || l.startsWith("FAIL ")
                || l.matches("\\d+ of \\d+ checks failed")), "one line per check:\n" + p.stdout());
        assertTrue(!p.stderr().contains("Exception") && !p.stdout().contains("Exception:"), p.output());
    }

    private static ObjectNode instance(ObjectNode root, int index) {
        return (ObjectNode) ((ArrayNode) root.path("dr").path("instances")).get(index);
    }

    private static int freePortUnchecked() {
        try {
            return ItSupport.freePort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
