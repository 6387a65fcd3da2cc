package io.whpg.drsync.sandbox;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.state.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A real local "Greenplum-like" cluster built from plain PostgreSQL 15: a coordinator (content -1)
 * and N segments, each a primary archiving its WAL into {@code archive/<content>}, plus a stopped DR
 * copy of every instance made with {@code pg_basebackup -X none} that restores from that archive.
 * The coordinator emulates GP7's {@code gp_segment_configuration}, {@code gp_create_restore_point}
 * and {@code gp_switch_wal} over dblink. With {@link SandboxOptions#sshHosts()} the DR copies sit behind
 * private OpenSSH servers on 127.0.0.2, 127.0.0.3, ... run as the service user, and the config reaches
 * them over SSH. See {@link SandboxLayout} for the directory layout.
 */
public final class Sandbox {
    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);
    public static final Path PG_BIN = Path.of(DrSyncConfigFile.PG_HOME, "bin");
    static final Path DBLINK_CONTROL = Path.of("/usr/share/postgresql/15/extension/dblink.control");
    private static final Duration INITDB_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration BASE_BACKUP_TIMEOUT = Duration.ofSeconds(300);
    private static final int START_ATTEMPTS = 3;
    /** Host key types of the SSH hosts, in turn: the tool must verify both kinds. */
    private static final List<String> HOST_KEY_TYPES = List.of("ed25519", "ecdsa");
    /** English messages and control-data labels whatever the caller's locale, since logs and output are parsed. */
    private static final Map<String, String> PG_ENV = Map.of("LC_ALL", "C", "LANG", "C");

    private final SandboxLayout layout;
    /** Replaced as the sandbox is built and when an SSH host is restarted; always what sandbox.json says. */
    private volatile SandboxDescriptor descriptor;
    private final InstanceControl control;

    private Sandbox(SandboxLayout layout, SandboxDescriptor descriptor) {
        this.layout = layout;
        this.descriptor = descriptor;
        this.control = new InstanceControl(layout.dir());
    }

    /**
     * Builds the sandbox in {@code dir} (absent or empty): primaries running, DR copies stopped,
     * {@code dr_sync_config.json} and {@code sandbox.json} written. On failure, stops whatever it
     * started and leaves the directory for inspection.
     */
    public static Sandbox up(Path dir, SandboxOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        SandboxLayout layout;
        try {
            layout = SandboxLayout.of(dir);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        checkPrerequisites(options);
        if (Files.exists(layout.dir())) {
            try (Stream<Path> entries = Files.list(layout.dir())) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("sandbox dir " + layout.dir() + ": must be empty or absent");
                }
            }
        }
        String user = ServiceUser.resolve();
        if (options.sshHosts() > 0) {
            ServiceUser.checkCanLogIn(user);
        }
        Files.createDirectories(layout.dir());
        ServiceUser.chown(layout.dir(), user);
        ServiceUser.checkCanUse(layout.dir(), user);

        Set<Integer> taken = ConcurrentHashMap.newKeySet();
        List<SandboxInstance> primaries = new ArrayList<>();
        List<SandboxInstance> drCopies = new ArrayList<>();
        for (int content = -1; content < options.segments(); content++) {
            primaries.add(new SandboxInstance(content, InstanceTasks.freePort(taken), layout.primaryDataDir(content), user));
            drCopies.add(new SandboxInstance(content, InstanceTasks.freePort(taken), layout.drDataDir(content), user));
        }
        // Written first so that down() finds every data dir even if up() fails half way.
        Sandbox sandbox = new Sandbox(layout, new SandboxDescriptor(layout.dir(), user, options, primaries, drCopies,
                List.of()));
        try {
            sandbox.writeDescriptor();
            return sandbox.build(taken);
        } catch (IOException | RuntimeException e) {
            try {
                sandbox.down();
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The sandbox described by {@code dir/sandbox.json}. */
    public static Sandbox open(Path dir) throws IOException {
        SandboxLayout layout = new SandboxLayout(dir);
        Path file = layout.descriptorFile();
        if (!Files.isRegularFile(file)) {
            throw new IOException("sandbox dir " + layout.dir() + ": no sandbox.json (not a sandbox, or up never ran)");
        }
        Sandbox sandbox = new Sandbox(layout, SandboxDescriptor.fromJson(Files.readString(file), file));
        // Reported, never restarted behind the caller's back: a test may have stopped it on purpose.
        for (SandboxSshHost h : sandbox.sshHosts()) {
            if (!SshdServer.running(h.pid(), layout.sshHostDir(h.address()))) {
                LOG.warn("sandbox {}: sshd {}:{} (pid {}) is not running: DR copies {} behind it are unreachable",
                        layout.dir(), h.address(), h.port(), h.pid(), h.drContentIds());
            }
        }
        return sandbox;
    }

    private static void checkPrerequisites(SandboxOptions options) throws IOException {
        if (options.sshHosts() > 0 && !Files.isExecutable(Path.of(SshdServer.SSHD))) {
            throw new IOException("hosts: OpenSSH server not installed: " + SshdServer.SSHD
                    + " missing (Debian package openssh-server)");
        }
        for (String tool : List.of("initdb", "pg_ctl", "pg_basebackup", "pg_controldata")) {
            if (!Files.isExecutable(PG_BIN.resolve(tool))) {
                throw new IOException("PostgreSQL 15 not installed: " + PG_BIN.resolve(tool)
                        + " missing (Debian package postgresql-15)");
            }
        }
        if (!Files.isRegularFile(DBLINK_CONTROL)) {
            throw new IOException("dblink extension not installed: " + DBLINK_CONTROL
                    + " missing (Debian package postgresql-15 or postgresql-contrib)");
        }
    }

    private Sandbox build(Set<Integer> taken) throws IOException {
        long started = System.nanoTime();
        String user = descriptor.serviceUser();
        for (Path d : List.of(layout.dir().resolve("primary"), layout.dir().resolve("dr"), layout.archiveDir(),
                layout.socketDir(), layout.logDir(), layout.drSyncDir())) {
            createOwnedDir(d);
        }
        for (SandboxInstance p : descriptor.primaries()) {
            createOwnedDir(layout.archiveDir(p.contentId()));
        }
        for (String sub : DrSyncConfigFile.toolDirs()) {
            createOwnedDir(layout.drSyncDir().resolve(sub));
        }

        // initdb is CPU-bound: one per core.
        List<SandboxInstance> primaries = InstanceTasks.inParallel(descriptor.primaries(), Runtime.getRuntime().availableProcessors(),
                p -> {
                    initPrimary(p);
                    return startPrimary(p, taken);
                });
        LOG.info("sandbox {}: {} primaries initialised and running ({} ms)", layout.dir(), primaries.size(), millisSince(started));
        descriptor = descriptor.withPrimaries(primaries);
        writeDescriptor();
        setup().loadSchema(descriptor.primaries(), descriptor.options());
        LOG.info("sandbox {}: GP emulation and probe tables loaded ({} ms)", layout.dir(), millisSince(started));
        // A base backup mostly waits (about 1 s) for its last WAL file to be archived: run them all at once.
        InstanceTasks.inParallel(primaries, primaries.size(), p -> {
            makeDrCopy(p, drCopy(p.contentId()));
            return p;
        });
        LOG.info("sandbox {}: DR copies made ({} ms)", layout.dir(), millisSince(started));
        InstanceTasks.inParallel(primaries, primaries.size(), p -> {
            setup().switchWalAndAwaitArchive(p, descriptor.options().walSegmentMb() * 1024L * 1024L);
            return p;
        });
        startSshHosts();
        writeOwned(layout.configFile(), DrSyncConfigFile.json(layout, user, primaries.get(0).port(),
                descriptor.drCopies(), descriptor.options().walSegmentMb(), descriptor.sshHosts()));
        LOG.info("sandbox {}: up in {} ms", layout.dir(), millisSince(started));
        return this;
    }

    private PrimarySetup setup() {
        return new PrimarySetup(this::connectPrimary, layout);
    }

    /** The address of the DR host a DR copy sits on: its SSH host's, or 127.0.0.1 when the copies are local. */
    private String drHostAddress(int contentId) {
        SandboxOptions options = descriptor.options();
        if (options.sshHosts() == 0) {
            return ServerSettings.LOCAL_ADDRESS;
        }
        return SandboxOptions.sshHostAddress(options.sshHostOf(drCopies().indexOf(drCopy(contentId))));
    }

    /**
     * One sshd per SSH host, as the service user (who owns the DR data dirs), each with its own host key and
     * a free port, letting in the client key made here; then known_hosts for the tool. Every pid goes into
     * sandbox.json as soon as the servers run, so down() stops them even if a later step fails.
     */
    private void startSshHosts() throws IOException {
        SandboxOptions options = descriptor.options();
        if (options.sshHosts() == 0) {
            return;
        }
        long started = System.nanoTime();
        // The tool's side (client key, known_hosts) belongs to whoever runs the tool, not to the service user.
        Files.createDirectories(layout.sshDir());
        SshKeys.KeyPairFiles client = SshKeys.generate(layout.clientKey(), "ed25519", null);
        List<SshdServer> servers = new ArrayList<>();
        List<SandboxSshHost> hosts = new ArrayList<>();
        try {
            for (int h = 0; h < options.sshHosts(); h++) {
                String address = SandboxOptions.sshHostAddress(h);
                List<Integer> behind = new ArrayList<>();
                for (int position = 0; position < drCopies().size(); position++) {
                    if (options.sshHostOf(position) == h) {
                        behind.add(drCopies().get(position).contentId());
                    }
                }
                SshdServer server = SshdServer.start(layout.sshHostDir(address), serviceUser(), address, 0,
                        List.of(client.publicKey()), List.of(HOST_KEY_TYPES.get(h % HOST_KEY_TYPES.size())));
                servers.add(server);
                hosts.add(new SandboxSshHost(address, server.port(), server.pid(), behind));
            }
        } finally {
            descriptor = descriptor.withSshHosts(hosts);
            writeDescriptor();
        }
        SshKeys.writeKnownHosts(layout.knownHosts(), servers);
        LOG.info("sandbox {}: {} SSH hosts up ({} ms)", layout.dir(), hosts.size(), millisSince(started));
    }

    private void initPrimary(SandboxInstance p) throws IOException {
        pg(INITDB_TIMEOUT, "initdb", "-D", p.dataDir().toString(), "-U", p.osUser(), "-E", "UTF8", "--locale=C",
                "--auth=trust", "--wal-segsize=" + descriptor.options().walSegmentMb(), "--no-sync", "--no-instructions");
        writeOwned(p.dataDir().resolve("pg_hba.conf"), ServerSettings.hba(p.osUser()));
        writeOwned(p.dataDir().resolve(ServerSettings.FILE), ServerSettings.primary(layout, p.contentId(), p.port()));
        appendLastLine(p.dataDir().resolve("postgresql.conf"), ServerSettings.INCLUDE);
    }

    /** Starts a primary; another process may grab a probed port before the server binds it, so retry elsewhere. */
    private SandboxInstance startPrimary(SandboxInstance p, Set<Integer> taken) throws IOException {
        Path log = layout.primaryLog(p.contentId());
        SandboxInstance current = p;
        for (int attempt = 1; ; attempt++) {
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            CommandResult r = ProcessRunner.run(List.of(PG_BIN.resolve("pg_ctl").toString(), "start", "-w",
                            "-t", "60", "-D", current.dataDir().toString(), "-l", log.toString()),
                    current.osUser(), PG_CTL_TIMEOUT, PG_ENV, layout.dir());
            if (r.ok()) {
                return current;
            }
            String logTail = Files.exists(log) ? Files.readString(log).substring((int) logStart) : "";
            boolean portClash = logTail.contains("could not bind") || logTail.contains("Address already in use");
            if (!portClash || attempt == START_ATTEMPTS) {
                throw new IOException("cannot start primary " + current.name() + " on port " + current.port() + ": "
                        + lastLine(logTail, r.firstErrorLine()) + " (log " + log + ")");
            }
            current = new SandboxInstance(p.contentId(), InstanceTasks.freePort(taken), p.dataDir(), p.osUser());
            writeOwned(p.dataDir().resolve(ServerSettings.FILE), ServerSettings.primary(layout, p.contentId(), current.port()));
        }
    }

    /** A stopped base-backup copy that restores from the archive alone, with its own port and log. */
    private void makeDrCopy(SandboxInstance primary, SandboxInstance copy) throws IOException {
        pg(BASE_BACKUP_TIMEOUT, "pg_basebackup", "-D", copy.dataDir().toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(primary.port()), "-U", primary.osUser(), "-X", "none", "--checkpoint=fast",
                "--no-sync", "--no-password");
        writeOwned(copy.dataDir().resolve(ServerSettings.FILE),
                ServerSettings.drCopy(layout, copy.contentId(), copy.port(), drHostAddress(copy.contentId())));
        appendLastLine(copy.dataDir().resolve("postgresql.conf"), ServerSettings.RECOVERY_INCLUDE);
        writeOwned(copy.dataDir().resolve("standby.signal"), "");
    }

    /** Per instance: running or not (by the pid in postmaster.pid) and pg_controldata's cluster state. */
    public SandboxStatus status() {
        List<SandboxStatus.InstanceStatus> rows = new ArrayList<>();
        for (SandboxInstance p : primaries()) {
            rows.add(control.statusOf(p, SandboxStatus.Role.PRIMARY));
        }
        for (SandboxInstance d : drCopies()) {
            rows.add(control.statusOf(d, SandboxStatus.Role.DR));
        }
        List<SandboxStatus.SshHostStatus> hosts = sshHosts().stream()
                .map(h -> new SandboxStatus.SshHostStatus(h.address(), h.port(), h.pid(),
                        SshdServer.running(h.pid(), layout.sshHostDir(h.address())), h.drContentIds()))
                .toList();
        return new SandboxStatus(layout.dir(), serviceUser(), rows, hosts);
    }

    /**
     * Stops every sshd of the sandbox (by the pid in sandbox.json, if it still names that sshd), then every
     * server running on one of the sandbox's data dirs (DR copies too, whoever started them):
     * {@code pg_ctl stop -m fast}, then SIGKILL for any of the postmaster's processes still alive.
     * Idempotent; touches only processes named by sandbox.json and those data dirs' postmaster.pid.
     */
    public void down() throws IOException {
        List<String> failures = new ArrayList<>();
        for (SandboxSshHost h : sshHosts()) {
            try {
                SshdServer.stop(h.pid(), layout.sshHostDir(h.address()));
            } catch (RuntimeException e) {
                failures.add("sshd " + h.address() + ":" + h.port() + ": " + e.getMessage());
            }
        }
        List<SandboxInstance> stopOrder = new ArrayList<>(primaries());
        stopOrder.addAll(drCopies());
        Collections.reverse(stopOrder);
        for (SandboxInstance i : stopOrder) {
            try {
                control.stop(i);
            } catch (IOException | RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IOException("sandbox down: " + String.join("; ", failures));
        }
    }

    public Path dir() {
        return layout.dir();
    }

    public Path configFile() {
        return layout.configFile();
    }

    public SandboxOptions options() {
        return descriptor.options();
    }

    /** Coordinator first, then segments by content id. */
    public List<SandboxInstance> primaries() {
        return descriptor.primaries();
    }

    /** The DR copy of each primary, in the same order. */
    public List<SandboxInstance> drCopies() {
        return descriptor.drCopies();
    }

    public SandboxInstance primary(int contentId) {
        return byContent(primaries(), contentId);
    }

    public SandboxInstance drCopy(int contentId) {
        return byContent(drCopies(), contentId);
    }

    /** The DR copy's server log: {@code <data dir>/log/postgresql.log}, appended to by every start. */
    public Path drLog(int contentId) {
        return layout.drLog(drCopy(contentId).contentId());
    }

    public Path primaryLog(int contentId) {
        return layout.primaryLog(primary(contentId).contentId());
    }

    /** The directory of the WAL archive for {@code contentId} ({@code archive/<content>}). */
    public Path archiveDir(int contentId) {
        return layout.archiveDir(primary(contentId).contentId());
    }

    public String serviceUser() {
        return descriptor.serviceUser();
    }

    /** The SSH hosts the DR copies sit behind, in address order; empty when every DR copy is local. */
    public List<SandboxSshHost> sshHosts() {
        return descriptor.sshHosts();
    }

    /** The log of an SSH host's sshd; it starts afresh whenever that sshd is (re)started. */
    public Path sshdLog(String address) {
        return layout.sshHostDir(sshHost(address).address()).resolve(SshdServer.LOG_FILE);
    }

    /**
     * Starts a stopped SSH host again: same address, port and host key, so the config and known_hosts still
     * hold; sandbox.json gets its new pid. Refused while its sshd runs.
     */
    public synchronized SandboxSshHost restartSshHost(String address) throws IOException {
        SandboxSshHost host = sshHost(address);
        Path dir = layout.sshHostDir(address);
        if (SshdServer.running(host.pid(), dir)) {
            throw new IllegalStateException("sshd " + address + ":" + host.port() + " is already running (pid "
                    + host.pid() + ")");
        }
        SandboxSshHost restarted = host.withPid(SshdServer.restart(dir, serviceUser(), address, host.port()).pid());
        descriptor = descriptor.withSshHosts(sshHosts().stream().map(h -> h == host ? restarted : h).toList());
        writeDescriptor();
        return restarted;
    }

    private SandboxSshHost sshHost(String address) {
        return sshHosts().stream().filter(h -> h.address().equals(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("address: no SSH host " + address + " in this sandbox (have "
                        + sshHosts().stream().map(SandboxSshHost::address).toList() + ")"));
    }

    /** JDBC to one primary instance, database {@code postgres}, as the service user (trust on 127.0.0.1). */
    public Connection connectPrimary(int contentId) throws SQLException {
        SandboxInstance p = primary(contentId);
        Properties props = new Properties();
        props.setProperty("user", p.osUser());
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "whpg_dr_sync sandbox");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + p.port() + "/postgres", props);
    }

    private static SandboxInstance byContent(List<SandboxInstance> instances, int contentId) {
        return instances.stream().filter(i -> i.contentId() == contentId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("content id: no instance with content id " + contentId
                        + " (have -1.." + (instances.size() - 2) + ")"));
    }

    private void writeDescriptor() throws IOException {
        writeOwned(layout.descriptorFile(), descriptor.toJson());
    }

    private void writeOwned(Path file, String content) throws IOException {
        AtomicFiles.write(file, content);
        ServiceUser.chown(file, descriptor.serviceUser());
    }

    private void appendLastLine(Path conf, String line) throws IOException {
        writeOwned(conf, ServerSettings.withLastLine(Files.readString(conf), line));
    }

    private void createOwnedDir(Path d) throws IOException {
        Files.createDirectories(d);
        ServiceUser.chown(d, descriptor.serviceUser());
    }

    private void pg(Duration timeout, String tool, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(PG_BIN.resolve(tool).toString()));
        argv.addAll(List.of(args));
        CommandResult r = ProcessRunner.run(argv, descriptor.serviceUser(), timeout, PG_ENV, layout.dir());
        if (!r.ok()) {
            throw new IOException(tool + " failed: " + r.firstErrorLine());
        }
    }

    private static String lastLine(String text, String fallback) {
        return text.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).map(String::strip).orElse(fallback);
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
