package io.whpg.drsync.it;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.pg.ControlData;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real Greenplum 7 / WarehousePG 7 cluster built by {@code src/test/greenplum/gp-cluster.sh} from the
 * installation named by {@value #HOME_ENV}: a coordinator and {@code segments} primaries on 127.0.0.1,
 * WAL archived per content id under {@code dir/archive/<content>}, a stopped DR copy of every instance
 * under {@code dir/dr/} (fresh base backups: backup_label, standby.signal, no backup_manifest) and a tool
 * config at {@code dir/dr_sync_config.json}. {@code hostname} differs from {@code address} in
 * gp_segment_configuration, as in many real clusters. Use with {@link GreenplumCondition}.
 */
public final class GreenplumLab implements AutoCloseable {
    public static final String HOME_ENV = "WHPG_GP_HOME";
    private static final Path SCRIPT = Path.of("src/test/greenplum/gp-cluster.sh").toAbsolutePath();
    private static final Duration SCRIPT_BOUND = Duration.ofMinutes(5);

    private final Path gpHome;
    private final Path dir;
    private final int portBase;
    private final int segments;
    private final String user;

    private GreenplumLab(Path gpHome, Path dir, int portBase, int segments, String user) {
        this.gpHome = gpHome;
        this.dir = dir;
        this.portBase = portBase;
        this.segments = segments;
        this.user = user;
    }

    /** A coordinator and two segments in a new directory, on free ports. */
    public static GreenplumLab up() throws IOException {
        return up(2);
    }

    /**
     * A coordinator and {@code segments} primaries in a new directory under java.io.tmpdir that the server
     * user can reach (JUnit's @TempDir is private to us); {@link #close()} removes it.
     */
    public static GreenplumLab up(int segments) throws IOException {
        Path home = Path.of(System.getenv(HOME_ENV));
        Path dir = Files.createTempDirectory("whpg-gp-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int base = freePortBase(segments);
        CommandResult r = ProcessRunner.run(List.of("bash", SCRIPT.toString(), "up", home.toString(), dir.toString(),
                String.valueOf(base), String.valueOf(segments)), null, SCRIPT_BOUND);
        GreenplumLab lab = new GreenplumLab(home, dir, base, segments, serverUser());
        if (!r.ok()) {
            lab.close();
            throw new IOException("gp-cluster.sh up failed (exit " + r.exitCode() + "): " + r.stdout() + r.stderr());
        }
        return lab;
    }

    /** The OS user the servers run as: gpadmin (or GP_USER) when we are root, else ourselves. */
    public static String serverUser() {
        if ("root".equals(System.getProperty("user.name"))) {
            return System.getenv().getOrDefault("GP_USER", "gpadmin");
        }
        return System.getProperty("user.name");
    }

    public Path gpHome() {
        return gpHome;
    }

    public Path pgBin() {
        return gpHome.resolve("bin");
    }

    public Path dir() {
        return dir;
    }

    public Path config() {
        return dir.resolve("dr_sync_config.json");
    }

    public String user() {
        return user;
    }

    /** Content ids, coordinator (-1) first. */
    public List<Integer> contents() {
        List<Integer> c = new ArrayList<>(List.of(-1));
        for (int i = 0; i < segments; i++) {
            c.add(i);
        }
        return c;
    }

    public int primaryPort(int content) {
        return content == -1 ? portBase : portBase + 2 + content;
    }

    public int drPort(int content) {
        return primaryPort(content) + 1000;
    }

    private static String name(int content) {
        return content == -1 ? "qd" : "seg" + content;
    }

    public Path primaryDataDir(int content) {
        return dir.resolve("data").resolve(name(content));
    }

    public Path drDataDir(int content) {
        return dir.resolve("dr").resolve(name(content));
    }

    public Path archiveDir(int content) {
        return dir.resolve("archive").resolve(String.valueOf(content));
    }

    /** The coordinator in dispatch mode: distributed queries, gp_* functions. */
    public Connection connectCoordinator() throws SQLException {
        return DriverManager.getConnection(url(portBase, false));
    }

    /** One primary instance alone (utility mode). */
    public Connection connectPrimary(int content) throws SQLException {
        return DriverManager.getConnection(url(primaryPort(content), true));
    }

    /** Any server of ours by port, e.g. a DR copy started read-only; utility mode. */
    public Connection connectUtility(int port) throws SQLException {
        return DriverManager.getConnection(url(port, true));
    }

    private String url(int port, boolean utility) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + user
                + (utility ? "&options=-c%20gp_role%3Dutility" : "");
    }

    /** Runs one of the installation's programs as the server user (e.g. pg_ctl, pg_waldump); fails on non-zero exit. */
    public CommandResult run(String program, String... args) {
        List<String> argv = new ArrayList<>(List.of("env", "LC_ALL=C", "LD_LIBRARY_PATH=" + gpHome.resolve("lib"),
                pgBin().resolve(program).toString()));
        argv.addAll(List.of(args));
        CommandResult r = ProcessRunner.run(argv, user, SCRIPT_BOUND, Map.of(), null);
        if (!r.ok()) {
            throw new IllegalStateException(program + " " + String.join(" ", args) + ": exit " + r.exitCode() + ": "
                    + r.stdout() + r.stderr());
        }
        return r;
    }

    public ControlData controlData(Path dataDir) {
        return ControlData.parse(run("pg_controldata", dataDir.toString()).stdout());
    }

    /** Stops every server started from this lab's directory (primaries, DR copies, copies made by tests), then removes it. */
    @Override
    public void close() {
        ProcessRunner.run(List.of("bash", SCRIPT.toString(), "down", dir.toString()), null, SCRIPT_BOUND);
        ProcessRunner.run(List.of("rm", "-rf", dir.toString()), null, SCRIPT_BOUND);
    }

    /**
     * A base with the coordinator, segment and DR ports (base .. base+1+n, +1000) all free on 127.0.0.1, below
     * Linux's ephemeral range (32768 and up): the DR ports are used only later, when a cycle starts the copies,
     * and an outgoing connection (or a sandbox's port-0 server) must not have taken one by then.
     */
    private static int freePortBase(int segments) throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20000 + 10 * ThreadLocalRandom.current().nextInt(1100);
            if (free(lo, base, segments + 2) && free(lo, base + 1000, segments + 2)) {
                return base;
            }
        }
        throw new IOException("no free port range for a Greenplum test cluster");
    }

    private static boolean free(InetAddress lo, int from, int count) {
        for (int p = from; p < from + count; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, lo)) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
