package io.whpg.drsync.containers;

import com.github.dockerjava.api.exception.NotFoundException;
import io.whpg.drsync.exec.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ExecConfig;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

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

    private final List<String> authorizedKeys = new ArrayList<>();

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

    public int sshPort() {
        return getMappedPort(SSH_PORT);
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
