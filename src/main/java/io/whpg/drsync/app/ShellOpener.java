package io.whpg.drsync.app;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.dr.DrHost;
import io.whpg.drsync.exec.HostShell;
import io.whpg.drsync.exec.LocalHostShell;
import io.whpg.drsync.exec.SshTransport;
import java.time.Duration;
import java.util.function.Function;

/**
 * Opens the shell of a DR host: a local process, or an SSH session through the one transport of this
 * run. The transport exists only when some instance is remote, so a purely local site needs no ~/.ssh.
 */
public final class ShellOpener implements Function<DrHost, HostShell>, AutoCloseable {
    private final SshTransport ssh;

    public ShellOpener(DrSyncConfig config) {
        boolean remote = config.dr().instances().stream().anyMatch(i -> !i.isLocal());
        this.ssh = remote ? new SshTransport(config.ssh().identity(), config.ssh().knownHosts(),
                Duration.ofSeconds(config.ssh().connectTimeoutSecs()), config.ssh().retries() + 1, Duration.ofSeconds(1))
                : null;
    }

    @Override
    public HostShell apply(DrHost host) {
        return host.local() ? new LocalHostShell(host.user()) : ssh.open(host.host(), host.sshPort(), host.user());
    }

    /** SSH logins so far in this run (0 for a local site). */
    public long sessionsOpened() {
        return ssh == null ? 0 : ssh.sessionsOpened();
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
    }
}
