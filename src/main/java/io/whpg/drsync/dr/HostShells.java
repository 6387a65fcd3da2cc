package io.whpg.drsync.dr;

import io.whpg.drsync.exec.HostShell;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The shells of one cycle: one per host, got from the opener on first use, reused by every step, released
 * at the end (an SSH shell the opener keeps for the process's life stays connected for the next cycle).
 */
public final class HostShells implements AutoCloseable {
    private final Function<DrHost, HostShell> opener;
    private final Map<DrHost, HostShell> open = new ConcurrentHashMap<>();
    /** Each shell's SSH logins before this cycle used it: a kept shell counts from its first cycle. */
    private final Map<DrHost, Integer> loginsBefore = new ConcurrentHashMap<>();

    public HostShells(Function<DrHost, HostShell> opener) {
        this.opener = opener;
    }

    public HostShell get(DrHost host) {
        return open.computeIfAbsent(host, h -> {
            HostShell shell = opener.apply(h);
            loginsBefore.put(h, shell.sessionsOpened());
            return shell;
        });
    }

    public int opened() {
        return open.size();
    }

    /** SSH logins made during this cycle: one per remote host reached when its kept session was not open yet, else none. */
    public int sshSessions() {
        return open.entrySet().stream()
                .mapToInt(e -> e.getValue().sessionsOpened() - loginsBefore.getOrDefault(e.getKey(), 0)).sum();
    }

    @Override
    public void close() {
        open.values().forEach(HostShell::release);
        open.clear();
        loginsBefore.clear();
    }
}
