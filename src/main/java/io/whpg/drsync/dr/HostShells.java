package io.whpg.drsync.dr;

import io.whpg.drsync.exec.HostShell;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** The shells of one cycle: one per host, opened on first use, reused by every step, closed at the end. */
public final class HostShells implements AutoCloseable {
    private final Function<DrHost, HostShell> opener;
    private final Map<DrHost, HostShell> open = new ConcurrentHashMap<>();

    public HostShells(Function<DrHost, HostShell> opener) {
        this.opener = opener;
    }

    public HostShell get(DrHost host) {
        return open.computeIfAbsent(host, opener);
    }

    public int opened() {
        return open.size();
    }

    /** SSH logins made by this cycle's shells: one per remote host reached, as each keeps its session for the cycle. */
    public int sshSessions() {
        return open.values().stream().mapToInt(HostShell::sessionsOpened).sum();
    }

    @Override
    public void close() {
        open.values().forEach(HostShell::close);
        open.clear();
    }
}
