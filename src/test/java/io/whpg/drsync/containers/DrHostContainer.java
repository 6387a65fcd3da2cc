package io.whpg.drsync.containers;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import io.whpg.drsync.exec.CommandResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ExecConfig;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A DR host for tests: a container of the locally built image {@value #IMAGE_NAME} (Debian bookworm,
 * PostgreSQL 15, OpenSSH) whose sshd lets {@value #LOGIN_USER} in with the keys given before start.
 * The image comes from src/test/container/build-dr-host-image.sh; it is never pulled.
 */
public final class DrHostContainer extends GenericContainer<DrHostContainer> {
    public static final String IMAGE_NAME = "localhost/whpg-dr-host:pg15";
    public static final DockerImageName IMAGE = DockerImageName.parse(IMAGE_NAME);
    public static final int SSH_PORT = 22;
    public static final String LOGIN_USER = "postgres";
    public static final String POSTGRES_BIN = "/usr/lib/postgresql/15/bin";
    private static final String HOST_KEY_FILE = "/etc/ssh/ssh_host_ed25519_key.pub";
    private static final Duration SSHD_START = Duration.ofSeconds(30);

    private final List<String> authorizedKeys = new ArrayList<>();
    /** The SSH port mapped at the last {@link #startAgain()}: an engine may map another one after a restart. */
    private Integer remappedSshPort;

    public DrHostContainer() {
        super(IMAGE);
        withExposedPorts(SSH_PORT);
        withImagePullPolicy(DrHostContainer::requireLocalImage);
        // The entrypoint execs sshd -D -e, which logs this line once it accepts connections.
        waitingFor(Wait.forLogMessage(".*Server listening on .* port 22\\..*\\n", 1)
                .withStartupTimeout(Duration.ofSeconds(30)));
    }

    /** Lets the holder of this public key (an OpenSSH {@code type base64 [comment]} line) log in as postgres. */
    public DrHostContainer withAuthorizedKey(String publicKeyLine) {
        authorizedKeys.add(publicKeyLine.strip());
        return withEnv("SSH_AUTHORIZED_KEYS", String.join("\n", authorizedKeys));
    }

    /**
     * Runs postgres with these ids, as a DR host sharing a WAL archive with the primary's hosts must
     * (the archive's files are 0600, owned by the primary's postgres). The entrypoint moves whoever held them.
     */
    public DrHostContainer withPostgresIds(int uid, int gid) {
        return withEnv("POSTGRES_UID", Integer.toString(uid)).withEnv("POSTGRES_GID", Integer.toString(gid));
    }

    /** Mounts a host directory read-only at the same path, e.g. the WAL archive as the DR hosts see it. */
    public DrHostContainer withReadOnlyDirectory(Path dir) {
        return withFileSystemBind(dir.toString(), dir.toString(), BindMode.READ_ONLY);
    }

    public int sshPort() {
        return remappedSshPort != null ? remappedSshPort : getMappedPort(SSH_PORT);
    }

    /**
     * Copies a host directory (a PostgreSQL data directory) into this container at the same path, owned by
     * postgres with mode 0700 as PostgreSQL demands, its parents created by root and traversable.
     */
    public void installDataDir(Path dataDir) {
        String dir = dataDir.toString();
        CommandResult mkdir = exec("root", "mkdir", "-p", dataDir.getParent().toString());
        if (!mkdir.ok()) {
            throw new IllegalStateException("mkdir " + dataDir.getParent() + " in " + getContainerName() + ": "
                    + mkdir.firstErrorLine());
        }
        copyFileToContainer(MountableFile.forHostPath(dataDir), dir);
        CommandResult own = exec("root", "sh", "-c", "chown -R postgres:postgres \"$1\" && chmod 0700 \"$1\"", "sh", dir);
        if (!own.ok()) {
            throw new IllegalStateException("chown " + dir + " in " + getContainerName() + ": " + own.firstErrorLine());
        }
    }

    /** A directory at {@code dir} owned by postgres (e.g. a socket directory its servers are configured with). */
    public void createPostgresDir(Path dir) {
        CommandResult r = exec("root", "install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0700", dir.toString());
        if (!r.ok()) {
            throw new IllegalStateException("install -d " + dir + " in " + getContainerName() + ": " + r.firstErrorLine());
        }
    }

    /**
     * The host goes down: the container is stopped (SIGTERM, SIGKILL a second later, so its servers die
     * without a clean shutdown) but kept, disk and host keys included, for {@link #startAgain()}.
     */
    public void stopHost() {
        getDockerClient().stopContainerCmd(getContainerId()).withTimeout(1).exec();
    }

    /** The host comes back: the same container starts again; returns once its sshd answers on the new mapped port. */
    public void startAgain() {
        getDockerClient().startContainerCmd(getContainerId()).exec();
        Ports.Binding[] bindings = getDockerClient().inspectContainerCmd(getContainerId()).exec().getNetworkSettings()
                .getPorts().getBindings().get(ExposedPort.tcp(SSH_PORT));
        if (bindings == null || bindings.length == 0) {
            throw new IllegalStateException(getContainerName() + ": port " + SSH_PORT + " is not mapped after its restart");
        }
        remappedSshPort = Integer.valueOf(bindings[0].getHostPortSpec());
        awaitSshBanner();
    }

    /** Until sshd greets through the mapped port: a connection made before it listens is reset. */
    private void awaitSshBanner() {
        long deadline = System.nanoTime() + SSHD_START.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(getHost(), sshPort()), 2000);
                s.setSoTimeout(2000);
                String banner = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if (banner != null && banner.startsWith("SSH-")) {
                    return;
                }
                last = "greeting " + banner;
            } catch (IOException e) {
                last = e.toString();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for sshd in " + getContainerName(), e);
            }
        }
        throw new IllegalStateException("sshd in " + getContainerName() + " did not answer on " + getHost() + ":"
                + sshPort() + " within " + SSHD_START.toSeconds() + " s after its restart (" + last + ")");
    }

    /** This container's own ed25519 host key as {@code ssh-ed25519 BASE64}, read from inside it. */
    public String hostPublicKey() {
        CommandResult cat = exec("root", "cat", HOST_KEY_FILE);
        String[] fields = cat.stdout().strip().split("\\s+");
        if (!cat.ok() || fields.length < 2) {
            throw new IllegalStateException("cannot read " + HOST_KEY_FILE + " in " + getContainerName() + ": "
                    + cat.firstErrorLine());
        }
        return fields[0] + " " + fields[1];
    }

    /** The known_hosts line that pins this container's host key at the address and port a client dials. */
    public String knownHostsLine() {
        return "[" + getHost() + "]:" + sshPort() + " " + hostPublicKey();
    }

    /** Runs argv inside the container as {@code user}, without a shell, and waits for it to finish. */
    public CommandResult exec(String user, String... argv) {
        try {
            ExecResult result = execInContainer(ExecConfig.builder().user(user).command(argv).build());
            return new CommandResult(result.getExitCode(), result.getStdout(), result.getStderr());
        } catch (IOException e) {
            throw new UncheckedIOException("exec " + argv[0] + " in " + getContainerName() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + argv[0] + " in " + getContainerName(), e);
        }
    }

    /** No registry is reachable: a missing image must name the script that builds it, not fail a pull. */
    private static boolean requireLocalImage(DockerImageName image) {
        try {
            DockerClientFactory.lazyClient().inspectImageCmd(image.asCanonicalNameString()).exec();
            return false;
        } catch (NotFoundException e) {
            throw new IllegalStateException("image " + image.asCanonicalNameString()
                    + " is missing: build it with src/test/container/build-dr-host-image.sh", e);
        }
    }
}
