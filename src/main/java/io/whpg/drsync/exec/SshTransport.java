package io.whpg.drsync.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * The SSH side of the tool, built once from {@code ssh.*}: one MINA client with the private key
 * ({@code ssh.identity}), the known_hosts file ({@code ssh.known_hosts}) every host key is checked
 * against on every login, the key exchanges ({@code ssh.kex}), keepalives and the connect policy.
 * It opens one {@link SshHostShell} per remote host, which keeps its session (a daemon: for its life)
 * and counts the SSH sessions those open, for logs and tests.
 */
public final class SshTransport implements AutoCloseable {
    /** A kept session sends an OpenSSH keepalive this often when idle... */
    static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(15);
    /** ...and is closed (then opened again at its next use) after this many go unanswered. */
    static final int KEEPALIVE_MISSES = 3;
    private final Path identity;
    private final Duration connectTimeout;
    private final int connectTries;
    private final Duration retryBackoff;
    private final SshClient client;
    private final KnownHostsVerifier verifier;
    private final AtomicInteger sessionsOpened = new AtomicInteger();

    /**
     * @param connectTries tries to reach a host before giving up (at least 1)
     * @param retryBackoff pause after the first failed try, doubled after each further one
     * @param kex key-exchange algorithms in order of preference, comma-separated; empty: MINA's default list
     */
    public SshTransport(Path identity, Path knownHosts, Duration connectTimeout, int connectTries,
                        Duration retryBackoff, String kex) {
        if (connectTries < 1) {
            throw new IllegalArgumentException("ssh connect tries must be at least 1, got " + connectTries);
        }
        if (!Files.isRegularFile(knownHosts) || !Files.isReadable(knownHosts)) {
            throw new IllegalArgumentException("ssh.known_hosts: cannot read " + knownHosts
                    + " (host keys are always verified; add the DR hosts' keys with ssh-keyscan)");
        }
        this.identity = identity;
        this.connectTimeout = connectTimeout;
        this.connectTries = connectTries;
        this.retryBackoff = retryBackoff;
        List<KeyPair> keys = loadIdentity(identity);
        this.verifier = new KnownHostsVerifier(knownHosts);
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(verifier);
        client.addSessionListener(verifier);
        // The tool's config is the only source of user, port and key; ~/.ssh/config must not reroute them.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(keys));
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        if (!kex.isEmpty()) {
            client.setKeyExchangeFactories(keyExchanges(kex));
        }
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, KEEPALIVE_INTERVAL);
        CoreModuleProperties.HEARTBEAT_REQUEST.set(client, "keepalive@openssh.com");
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, KEEPALIVE_MISSES);
        client.start();
    }

    /** A shell for {@code user@host:port}; it connects at its first script and keeps that session until closed. */
    public SshHostShell open(String host, int port, String user) {
        return new SshHostShell(this, host, port, user);
    }

    /** SSH sessions opened so far through this transport (logins, not scripts). */
    public int sessionsOpened() {
        return sessionsOpened.get();
    }

    /** Stops the client, ending any session still open. */
    @Override
    public void close() {
        client.stop();
    }

    SshClient client() {
        return client;
    }

    KnownHostsVerifier verifier() {
        return verifier;
    }

    Path identity() {
        return identity;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    int connectTries() {
        return connectTries;
    }

    Duration retryBackoff() {
        return retryBackoff;
    }

    int sessionOpened() {
        return sessionsOpened.incrementAndGet();
    }

    /** {@code ssh.kex} as MINA's factories, in the given order; a name MINA does not know or cannot run is refused. */
    static List<KeyExchangeFactory> keyExchanges(String kex) {
        BuiltinDHFactories.ParseResult parsed = BuiltinDHFactories.parseDHFactoriesList(kex);
        List<String> unusable = new ArrayList<>(parsed.getUnsupportedFactories());
        parsed.getParsedFactories().stream().filter(f -> !f.isSupported()).forEach(f -> unusable.add(f.getName()));
        if (!unusable.isEmpty()) {
            throw new IllegalArgumentException("ssh.kex: unknown or unavailable key exchange " + String.join(", ", unusable)
                    + " (available: " + String.join(",", BuiltinDHFactories.VALUES.stream().filter(BuiltinDHFactories::isSupported)
                    .map(BuiltinDHFactories::getName).toList()) + ")");
        }
        return NamedFactory.setUpTransformedFactories(false, parsed.getParsedFactories(), ClientBuilder.DH2KEX);
    }

    private static List<KeyPair> loadIdentity(Path identity) {
        if (!Files.isRegularFile(identity) || !Files.isReadable(identity)) {
            throw new IllegalArgumentException("ssh.identity: cannot read private key file " + identity);
        }
        List<KeyPair> keys = new ArrayList<>();
        // An unattended tool cannot type a passphrase: say so rather than "no key found".
        FilePasswordProvider noPassphrase = (session, resource, retry) -> {
            throw new IOException("it is protected by a passphrase; the tool runs unattended and needs a key without one");
        };
        try (InputStream in = Files.newInputStream(identity)) {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null,
                    NamedResource.ofName(identity.toString()), in, noPassphrase);
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("ssh.identity: cannot load private key " + identity + ": "
                    + SshHostShell.rootMessage(e), e);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("ssh.identity: no private key in " + identity
                    + " (expected an OpenSSH or PEM private key file)");
        }
        return keys;
    }
}
