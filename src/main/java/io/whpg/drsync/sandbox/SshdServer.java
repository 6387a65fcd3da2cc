package io.whpg.drsync.sandbox;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.OsUser;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.state.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private OpenSSH server standing in for one DR host: {@code /usr/sbin/sshd} run as an
 * unprivileged user on a loopback address (127.0.0.2, 127.0.0.3, ... all reach this machine), with
 * its own host keys, config and authorized_keys in {@code dir}. Such an sshd lets in only the user
 * it runs as. It runs in the foreground ({@code -D}) as this JVM's child, so its exit is reaped
 * here; it binds its port before it writes its PidFile, so once the PidFile exists it accepts
 * connections.
 */
public final class SshdServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshdServer.class);
    public static final String SSHD = "/usr/sbin/sshd";
    static final Path SFTP_SERVER = Path.of("/usr/lib/openssh/sftp-server");
    static final String LOG_FILE = "sshd.log";
    private static final String SETSID = "setsid";
    private static final String HOST_KEY_PREFIX = "ssh_host_";
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final int PORT_TRIES = 3;

    private final Process launcher;
    private final long pid;
    private final String user;
    private final String host;
    private final int port;
    private final List<String> hostPublicKeys;
    private final Path log;

    private SshdServer(Process launcher, long pid, String user, String host, int port, List<String> hostPublicKeys,
                       Path log) {
        this.launcher = launcher;
        this.pid = pid;
        this.user = user;
        this.host = host;
        this.port = port;
        this.hostPublicKeys = List.copyOf(hostPublicKeys);
        this.log = log;
    }

    /**
     * Starts sshd as {@code user} on {@code address} and {@code port} (0: a free one), letting in holders of
     * {@code authorizedKeys} (OpenSSH public key lines), with one host key per {@code hostKeyTypes}
     * entry (ed25519, ecdsa, rsa). {@code dir}'s parents must be traversable by {@code user}.
     */
    public static SshdServer start(Path dir, String user, String address, int port,
                                   Collection<String> authorizedKeys, List<String> hostKeyTypes) {
        if (hostKeyTypes.isEmpty()) {
            throw new IllegalArgumentException("sshd needs at least one host key type");
        }
        if (!OsUser.isRoot() && !user.equals(OsUser.current())) {
            throw new IllegalArgumentException("sshd can serve user " + user + " only when started by root or by "
                    + user + ", not by " + OsUser.current());
        }
        try {
            prepareDirectory(dir, user);
            if (OsUser.isRoot()) {
                allowKeyLogin(user);
            }
            for (String type : hostKeyTypes) {
                SshKeys.generate(dir.resolve(HOST_KEY_PREFIX + type + "_key"), type, user);
            }
            AtomicFiles.write(dir.resolve("authorized_keys"), String.join("\n", authorizedKeys) + "\n");
            return listen(dir, user, address, port, hostKeyTypes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up sshd in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts again, on {@code address:port}, an sshd that {@link #start} set up in {@code dir} and that has
     * stopped: same host keys, same authorized keys, so known_hosts files written for it still hold.
     */
    public static SshdServer restart(Path dir, String user, String address, int port) {
        if (port == 0) {
            throw new IllegalArgumentException("sshd restart needs the port it listened on, got 0");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("sshd in " + dir + ": no host key to restart with (the directory is missing)");
        }
        try {
            List<String> types = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                files.map(f -> f.getFileName().toString())
                        .filter(n -> n.startsWith(HOST_KEY_PREFIX) && n.endsWith("_key"))
                        .sorted()
                        .forEach(n -> types.add(n.substring(HOST_KEY_PREFIX.length(), n.length() - "_key".length())));
            }
            if (types.isEmpty()) {
                throw new IllegalStateException("sshd in " + dir + ": no host key to restart with (never started there?)");
            }
            return listen(dir, user, address, port, types);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart sshd in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static SshdServer listen(Path dir, String user, String address, int port, List<String> hostKeyTypes)
            throws IOException {
        List<String> hostKeyFiles = new ArrayList<>();
        List<String> hostKeys = new ArrayList<>();
        for (String type : hostKeyTypes) {
            Path key = dir.resolve(HOST_KEY_PREFIX + type + "_key");
            hostKeyFiles.add(key.toString());
            String[] fields = Files.readString(key.resolveSibling(key.getFileName() + ".pub"), StandardCharsets.UTF_8)
                    .strip().split("\\s+");
            hostKeys.add(fields[0] + " " + fields[1]);
        }
        for (int attempt = 1; ; attempt++) {
            int chosen = port != 0 ? port : freePort(address);
            Process launcher = launch(dir, user, address, chosen, hostKeyFiles);
            try {
                long pid = awaitPidFile(launcher, dir, address, chosen);
                LOG.info("sshd for {} on {}:{} started, pid {}", user, address, chosen, pid);
                return new SshdServer(launcher, pid, user, address, chosen, hostKeys, dir.resolve(LOG_FILE));
            } catch (PortTakenException e) {
                if (port != 0) {
                    throw new IllegalStateException("sshd cannot listen on " + address + ":" + port
                            + ": the port is in use");
                }
                if (attempt == PORT_TRIES) {
                    throw new IllegalStateException("sshd on " + address + ": no free port after " + PORT_TRIES
                            + " tries: " + e.getMessage());
                }
            }
        }
    }

    public long pid() {
        return pid;
    }

    public String user() {
        return user;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The host's public keys as OpenSSH lines ("type base64"), in the order their types were asked for. */
    public List<String> hostPublicKeys() {
        return hostPublicKeys;
    }

    public String hostPublicKey() {
        return hostPublicKeys.get(0);
    }

    public Path log() {
        return log;
    }

    /** Stops the server and every session and command it started, by pid, and reaps it. */
    public void stop() {
        ProcessHandle.of(pid).ifPresent(daemon -> {
            daemon.descendants().forEach(ProcessHandle::destroyForcibly);
            daemon.destroy();
        });
        try {
            if (!launcher.waitFor(5, TimeUnit.SECONDS)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                launcher.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            launcher.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Whether {@code pid} is the sshd set up in {@code dir}, alive: a pid recorded by an earlier run may since
     * name another process, so it must be /usr/sbin/sshd and name this directory's config on its command line.
     */
    public static boolean running(long pid, Path dir) {
        return ProcessHandle.of(pid).filter(h -> isSshdOf(h, dir)).isPresent();
    }

    /**
     * Stops the sshd of {@code dir} by {@code pid}, from any process (its starter may be gone): every session
     * first, then the daemon, SIGKILL if it has not exited within a few seconds. Nothing happens if it is not running.
     */
    public static void stop(long pid, Path dir) {
        Optional<ProcessHandle> daemon = ProcessHandle.of(pid).filter(h -> isSshdOf(h, dir));
        if (daemon.isEmpty()) {
            return;
        }
        daemon.get().descendants().forEach(ProcessHandle::destroyForcibly);
        daemon.get().destroy();
        if (awaitGone(pid, dir)) {
            return;
        }
        daemon.get().destroyForcibly();
        if (!awaitGone(pid, dir)) {
            throw new IllegalStateException("sshd of " + dir + " (pid " + pid + ") still alive after SIGKILL");
        }
    }

    private static boolean awaitGone(long pid, Path dir) {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (running(pid, dir)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleepBriefly();
        }
        return true;
    }

    private static boolean isSshdOf(ProcessHandle h, Path dir) {
        if (!h.isAlive() || !h.info().command().map(SSHD::equals).orElse(false)) {
            return false;
        }
        try {
            // sshd rewrites its argv into a one-line title ("sshd: /usr/sbin/sshd -D -f CONFIG ... [listener]").
            String cmdline = Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline"), StandardCharsets.UTF_8);
            return !Postmaster.isZombie(h.pid()) && cmdline.contains(dir.resolve("sshd_config").toString());
        } catch (IOException e) {
            return false; // it exited meanwhile
        }
    }

    private static Process launch(Path dir, String user, String address, int port, List<String> hostKeyFiles)
            throws IOException {
        Path config = dir.resolve("sshd_config");
        Path logFile = dir.resolve(LOG_FILE);
        Files.deleteIfExists(dir.resolve("sshd.pid"));
        Files.deleteIfExists(logFile);
        StringBuilder text = new StringBuilder()
                .append("ListenAddress ").append(address).append(':').append(port).append('\n');
        hostKeyFiles.forEach(k -> text.append("HostKey ").append(k).append('\n'));
        text.append("PidFile ").append(dir.resolve("sshd.pid")).append('\n')
                .append("AuthorizedKeysFile ").append(dir.resolve("authorized_keys")).append('\n')
                .append("""
                        UsePAM no
                        StrictModes no
                        PasswordAuthentication no
                        KbdInteractiveAuthentication no
                        PubkeyAuthentication yes
                        MaxStartups 100
                        """)
                // an SFTP host for the sftp archive backend: OpenSSH's own sftp-server
                .append("Subsystem sftp ").append(Files.isExecutable(SFTP_SERVER) ? SFTP_SERVER : "internal-sftp").append('\n');
        AtomicFiles.write(config, text.toString());
        // Its own session, like pg_ctl's postmasters: it outlives `sandbox up` and no Ctrl-C meant for the caller reaches it.
        List<String> argv = new ArrayList<>(List.of(SETSID));
        argv.addAll(ProcessRunner.wrapForUser(List.of(SSHD, "-D", "-f", config.toString(), "-E", logFile.toString()), user));
        return new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sshd.out").toFile()))
                .start();
    }

    /** sshd's pid, once its PidFile shows it listening; a failed start is reported with its log. */
    private static long awaitPidFile(Process launcher, Path dir, String address, int port) throws IOException {
        Path pidFile = dir.resolve("sshd.pid");
        Path logFile = dir.resolve(LOG_FILE);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            String pid = Files.exists(pidFile) ? Files.readString(pidFile, StandardCharsets.UTF_8) : "";
            if (pid.endsWith("\n")) {
                return Long.parseLong(pid.strip());
            }
            if (!launcher.isAlive() || System.nanoTime() > deadline) {
                boolean exited = !launcher.isAlive();
                launcher.descendants().forEach(ProcessHandle::destroyForcibly);
                launcher.destroyForcibly();
                String logged = (read(logFile) + " " + read(dir.resolve("sshd.out"))).strip().replace('\n', ' ');
                if (logged.contains("Address already in use")) {
                    throw new PortTakenException(address + ":" + port + " is in use");
                }
                throw new IllegalStateException("sshd on " + address + ":" + port + (exited ? " exited at start: "
                        : " did not start within " + START_TIMEOUT.toSeconds() + " s: ") + logged);
            }
            sleepBriefly();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** The sandbox's directory belongs to the sshd user: it holds the host keys sshd must read. */
    private static void prepareDirectory(Path dir, String user) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        if (OsUser.isRoot()) {
            Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user));
        }
    }

    /** With UsePAM no, sshd refuses an account whose password field is locked ("!"); "*" allows key logins only. */
    private static void allowKeyLogin(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/shadow"))) {
            String[] fields = line.split(":", -1);
            if (fields.length > 1 && fields[0].equals(user) && fields[1].startsWith("!")) {
                CommandResult changed = ProcessRunner.run(List.of("usermod", "-p", "*", user), null,
                        Duration.ofSeconds(30));
                if (!changed.ok()) {
                    throw new IllegalStateException("cannot unlock " + user + " for SSH key login: "
                            + changed.firstErrorLine());
                }
                LOG.warn("account {} was locked (password field '!'); set it to '*' so sshd accepts key logins", user);
            }
        }
    }

    /** A port free on every one of {@code addresses} right now, so that DR hosts can share one ssh.port. */
    public static int freePort(String... addresses) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName(addresses[0]))) {
                port = first.getLocalPort();
            }
            if (Arrays.stream(addresses).allMatch(a -> isFree(a, port))) {
                return port;
            }
        }
        throw new IOException("no port is free on all of " + String.join(", ", addresses));
    }

    private static boolean isFree(String address, int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(address))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for sshd to start", e);
        }
    }

    /** The port picked was taken before sshd could bind it: pick another. */
    private static final class PortTakenException extends RuntimeException {
        PortTakenException(String message) {
            super(message);
        }
    }
}
