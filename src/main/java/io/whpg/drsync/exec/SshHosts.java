package io.whpg.drsync.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote DR hosts of one cycle: one {@link SshHostShell} (so one SSH session) per host, all
 * ended by {@link #close()}, and hosts worked in parallel up to {@code ssh.parallel_hosts}.
 * Counts the sessions it opened, so logs and tests can see that a cycle reused them.
 */
public final class SshHosts implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshHosts.class);

    private final SshSettings settings;
    private final SshClient client;
    private final KnownHostsVerifier verifier;
    private final Map<String, SshHostShell> shells = new ConcurrentHashMap<>();
    private final AtomicInteger sessionsOpened = new AtomicInteger();

    public SshHosts(SshSettings settings) {
        this.settings = settings;
        if (!Files.isRegularFile(settings.knownHosts()) || !Files.isReadable(settings.knownHosts())) {
            throw new IllegalArgumentException("ssh.known_hosts: cannot read " + settings.knownHosts()
                    + " (host keys are always verified; add the DR hosts' keys with ssh-keyscan)");
        }
        List<KeyPair> identity = loadIdentity(settings);
        this.verifier = new KnownHostsVerifier(settings.knownHosts());
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(verifier);
        client.addSessionListener(verifier);
        // The tool's config is the only source of user, port and key; ~/.ssh/config must not reroute them.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(identity));
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        client.start();
    }

    /** The shell for {@code host}; the same instance, hence the same session, for the whole cycle. */
    public SshHostShell shell(String host) {
        return shells.computeIfAbsent(host,
                h -> new SshHostShell(client, verifier, settings, h, sessionsOpened::incrementAndGet));
    }

    /** SSH sessions opened so far in this cycle. */
    public int sessionsOpened() {
        return sessionsOpened.get();
    }

    /**
     * Runs {@code work} once per host, at most {@code ssh.parallel_hosts} hosts at a time, and waits
     * for all. Each host's outcome, value or exception, is its completed future; one failing host
     * does not stop the others.
     */
    public <T> Map<String, CompletableFuture<T>> onEachHost(Collection<String> hosts, Function<HostShell, T> work) {
        Collection<String> distinct = new LinkedHashSet<>(hosts);
        Map<String, CompletableFuture<T>> outcomes = new LinkedHashMap<>();
        if (distinct.isEmpty()) {
            return outcomes;
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(Math.min(settings.parallelHosts(), distinct.size()),
                r -> new Thread(r, "dr-host-" + threads.incrementAndGet()));
        try {
            for (String host : distinct) {
                outcomes.put(host, CompletableFuture.supplyAsync(() -> work.apply(shell(host)), workers));
            }
            CompletableFuture.allOf(outcomes.values().toArray(CompletableFuture[]::new))
                    .exceptionally(e -> null).join();
        } finally {
            workers.shutdown();
        }
        return outcomes;
    }

    /** Ends every session of the cycle and the client behind them. */
    @Override
    public void close() {
        shells.values().forEach(SshHostShell::close);
        LOG.info("SSH: {} session(s) opened to {} host(s) this cycle", sessionsOpened.get(), shells.size());
        shells.clear();
        try {
            client.stop();
        } catch (RuntimeException e) {
            LOG.warn("SSH client did not stop cleanly: {}", e.getMessage());
        }
    }

    private static List<KeyPair> loadIdentity(SshSettings settings) {
        if (!Files.isRegularFile(settings.identity()) || !Files.isReadable(settings.identity())) {
            throw new IllegalArgumentException("ssh.identity: cannot read private key file " + settings.identity());
        }
        List<KeyPair> keys = new ArrayList<>();
        // An unattended tool cannot type a passphrase: say so rather than "no key found".
        FilePasswordProvider noPassphrase = (session, resource, retry) -> {
            throw new IOException("it is protected by a passphrase; the tool runs unattended and needs a key without one");
        };
        try (InputStream in = Files.newInputStream(settings.identity())) {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null,
                    NamedResource.ofName(settings.identity().toString()), in, noPassphrase);
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("ssh.identity: cannot load private key " + settings.identity() + ": "
                    + SshHostShell.rootMessage(e), e);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("ssh.identity: no private key in " + settings.identity()
                    + " (expected an OpenSSH or PEM private key file)");
        }
        return keys;
    }
}
