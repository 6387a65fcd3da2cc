package io.whpg.drsync.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the tool reaches remote DR hosts: login, key, the known_hosts file that vouches for host keys,
 * and the connect policy (timeout per try, tries, backoff) and how many hosts are worked at once.
 */
public record SshSettings(String user, int port, Path identity, Path knownHosts,
                          Duration connectTimeout, int connectTries, Duration retryBackoff,
                          int parallelHosts) {

    public static final int DEFAULT_PORT = 22;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_CONNECT_TRIES = 3;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);
    public static final int DEFAULT_PARALLEL_HOSTS = 4;

    public SshSettings {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("ssh.user must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("ssh.port must be between 1 and 65535, got " + port);
        }
        if (identity == null) {
            throw new IllegalArgumentException("ssh.identity must name a private key file");
        }
        if (knownHosts == null) {
            throw new IllegalArgumentException("ssh.known_hosts must name a known_hosts file");
        }
        requirePositive("ssh.connect_timeout", connectTimeout);
        requirePositive("ssh.retry_backoff", retryBackoff);
        if (connectTries < 1) {
            throw new IllegalArgumentException("ssh.connect_tries must be at least 1, got " + connectTries);
        }
        if (parallelHosts < 1) {
            throw new IllegalArgumentException("ssh.parallel_hosts must be at least 1, got " + parallelHosts);
        }
    }

    /**
     * Settings from the config's {@code ssh.*} keys; a null means "as OpenSSH would": the current
     * user, port 22, the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exists, ~/.ssh/known_hosts.
     */
    public static SshSettings of(String user, Integer port, Path identity, Path knownHosts) {
        Path dotSsh = Path.of(System.getProperty("user.home"), ".ssh");
        return new SshSettings(
                user != null ? user : OsUser.current(),
                port != null ? port : DEFAULT_PORT,
                identity != null ? identity : defaultIdentity(dotSsh),
                knownHosts != null ? knownHosts : dotSsh.resolve("known_hosts"),
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_CONNECT_TRIES, DEFAULT_RETRY_BACKOFF, DEFAULT_PARALLEL_HOSTS);
    }

    public SshSettings withRetry(Duration timeoutPerTry, int tries, Duration backoff) {
        return new SshSettings(user, port, identity, knownHosts, timeoutPerTry, tries, backoff, parallelHosts);
    }

    public SshSettings withParallelHosts(int hosts) {
        return new SshSettings(user, port, identity, knownHosts, connectTimeout, connectTries, retryBackoff, hosts);
    }

    private static Path defaultIdentity(Path dotSsh) {
        List<Path> candidates = List.of(dotSsh.resolve("id_ed25519"), dotSsh.resolve("id_ecdsa"), dotSsh.resolve("id_rsa"));
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(candidates.get(0));
    }

    private static void requirePositive(String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be a positive duration, got " + value);
        }
    }
}
