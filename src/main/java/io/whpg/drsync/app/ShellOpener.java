package io.whpg.drsync.app;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.dr.DrHost;
import io.whpg.drsync.exec.HostShell;
import io.whpg.drsync.exec.LocalHostShell;
import io.whpg.drsync.exec.SshHostShell;
import io.whpg.drsync.exec.SshTransport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Opens the shell of a DR host: a local process, or the SSH shell of that host, one per host for the life
 * of this opener (a daemon's: its sessions outlive cycles; see {@link SshHostShell}), all through the one
 * transport of this run, and all closed by {@link #close()}. The transport exists only when some instance is
 * remote, so a purely local site needs no ~/.ssh.
 */
public final class ShellOpener implements Function<DrHost, HostShell>, AutoCloseable {
    private final SshTransport ssh;
    private final Map<DrHost, SshHostShell> kept = new ConcurrentHashMap<>();

    public ShellOpener(DrSyncConfig config) {
        boolean remote = config.dr().instances().stream().anyMatch(i -> !i.isLocal());
        this.ssh = remote ? new SshTransport(config.ssh().identity(), config.ssh().knownHosts(),
                Duration.ofSeconds(config.ssh().connectTimeoutSecs()), config.ssh().retries() + 1, Duration.ofSeconds(1),
                config.ssh().kex())
                : null;
    }

    @Override
    public HostShell apply(DrHost host) {
        return host.local() ? new LocalHostShell(host.user())
                : kept.computeIfAbsent(host, h -> ssh.open(h.host(), h.sshPort(), h.user()));
    }

    /** SSH logins so far in this run (0 for a local site). */
    public long sessionsOpened() {
        return ssh == null ? 0 : ssh.sessionsOpened();
    }

    /** Ends every kept session, then the SSH client. */
    @Override
    public void close() {
        kept.values().forEach(SshHostShell::close);
        kept.clear();
        if (ssh != null) {
            ssh.close();
        }
    }
}
