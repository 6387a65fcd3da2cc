package io.whpg.drsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.cli.WhpgDrSync;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestCodec;
import io.whpg.drsync.state.SigningKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine;

/** Shared plumbing of the integration tests: the CLI in-process, real pg_controldata, read-only looks at DR data. */
final class ItSupport {
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";

    private ItSupport() {
    }

    record Run(int exitCode, String out, String err) {
        String output() {
            return out + err;
        }
    }

    static Run cli(String... args) {
        CommandLine cl = WhpgDrSync.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static long lastPublishSecond;

    /**
     * {@code primary run --once}, at most once per second: restore point names carry the second
     * (sync_point_YYYYMMDD_HHMMSS) and a name is never reused, so a second publish within it is refused.
     */
    static Run publish(Path config) throws InterruptedException {
        return publishWith(config);
    }

    static synchronized Run publishWith(Path config, String... options) throws InterruptedException {
        while (System.currentTimeMillis() / 1000 <= lastPublishSecond) {
            Thread.sleep(20);
        }
        List<String> args = new java.util.ArrayList<>(List.of("primary", "run", "--once", "--config", config.toString()));
        args.addAll(List.of(options));
        Run r = cli(args.toArray(String[]::new));
        lastPublishSecond = System.currentTimeMillis() / 1000;
        return r;
    }

    /** A publish that ran outside {@link #publishWith} (a separate process): the next one waits for a new second too. */
    static synchronized void publishedElsewhere() {
        lastPublishSecond = System.currentTimeMillis() / 1000;
    }

    /** The restore point LATEST.json names, which must be READY. */
    static String latestReady(DrSyncConfig cfg) throws IOException {
        JsonNode latest = Json.MAPPER.readTree(cfg.storage().latestPath().toFile());
        org.junit.jupiter.api.Assertions.assertTrue(latest.path("ready").asBoolean(), latest.toString());
        return latest.path("restore_point").asText();
    }

    /** One committed row with this note on every primary instance, so each one's WAL moves. */
    static void commitOnEveryPrimary(Sandbox sb, String note) throws Exception {
        for (SandboxInstance p : sb.primaries()) {
            try (Connection c = sb.connectPrimary(p.contentId()); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO dr_probe(note) VALUES ('" + note + "')");
            }
        }
    }

    static ControlData controlData(Sandbox sb, Path dataDir) {
        CommandResult r = ProcessRunner.run(List.of(PG_BIN + "/pg_controldata", dataDir.toString()), sb.serviceUser(),
                Duration.ofSeconds(30));
        return ControlData.parse(r.stdout());
    }

    /** A copy of the config with one behavior key changed; the copy sits beside the original. */
    static Path withBehavior(Path config, String key, int value) throws IOException {
        return edited(config, key + "." + value, root -> ((ObjectNode) root.path("behavior")).put(key, value));
    }

    /** A copy of the config as {@code edit} changes it, named {@code dr_sync_config.LABEL.json} beside the original. */
    static Path edited(Path config, String label, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(config.toFile());
        edit.accept(root);
        Path copy = config.resolveSibling("dr_sync_config." + label + ".json");
        AtomicFiles.write(copy, Json.pretty(root));
        return copy;
    }

    /** Writes {@code m} as the publisher does: signed with the config's signing key (the default one beside it). */
    static Path writeSigned(DrSyncConfig cfg, Manifest m) throws IOException {
        Path file = cfg.storage().manifestDir().resolve(m.restorePoint() + ".json");
        AtomicFiles.write(file, ManifestCodec.write(m, SigningKeys.publisherKey(cfg.storage().signing())));
        return file;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * The dr_probe notes visible at a parked DR instance's point: a throwaway copy of its data dir is
     * opened read-only, paused at the same LSN (so nothing past the point can replay), queried, and removed.
     * The copy gets a plain name (pg_ctl cannot start a data dir whose path holds a $), whatever the original's.
     */
    static Set<String> rowsAtParkedPoint(Sandbox sb, SandboxInstance dr, Lsn lsn) throws Exception {
        String user = sb.serviceUser();
        Path copy = dr.dataDir().resolveSibling(dr.name() + ".readonly-copy");
        runAs(user, "rm", "-rf", copy.toString());
        runAs(user, "cp", "-a", dr.dataDir().toString(), copy.toString());
        Path conf = copy.resolve("whpg_dr_sync.recovery.conf");
        runAs(user, "sh", "-c", "printf '%s\\n' \"$2\" 'recovery_target_inclusive = off' \"recovery_target_action = 'pause'\" > \"$1\"",
                "sh", conf.toString(), "recovery_target_lsn = '" + lsn + "'");
        int port = freePort();
        Path log = copy.resolve("readonly-copy.log");
        try {
            runAs(user, PG_BIN + "/pg_ctl", "start", "-w", "-t", "120", "-D", copy.toString(), "-l", log.toString(),
                    "-o", "-c port=" + port + " -c archive_mode=off -c logging_collector=off -c hot_standby=on");
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + user;
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                long deadline = System.currentTimeMillis() + 60_000;
                while (true) {
                    try (ResultSet rs = s.executeQuery("SELECT pg_get_wal_replay_pause_state()")) {
                        rs.next();
                        if ("paused".equals(rs.getString(1))) {
                            break;
                        }
                    }
                    if (System.currentTimeMillis() > deadline) {
                        throw new AssertionError("read-only copy of " + dr.dataDir() + " never paused at " + lsn);
                    }
                    Thread.sleep(50);
                }
                Set<String> notes = new HashSet<>();
                try (ResultSet rs = s.executeQuery("SELECT note FROM dr_probe")) {
                    while (rs.next()) {
                        notes.add(rs.getString(1));
                    }
                }
                return notes;
            }
        } finally {
            ProcessRunner.run(List.of(PG_BIN + "/pg_ctl", "stop", "-m", "immediate", "-w", "-D", copy.toString()), user,
                    Duration.ofSeconds(60));
            runAs(user, "rm", "-rf", copy.toString());
        }
    }

    /** Runs a command as {@code user} (through runuser when we are root) and fails the test if it fails. */
    static void runAs(String user, String... argv) {
        CommandResult r = ProcessRunner.run(List.of(argv), user, Duration.ofSeconds(120));
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", argv) + ": " + r.firstErrorLine());
        }
    }
}
