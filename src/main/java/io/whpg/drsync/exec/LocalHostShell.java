package io.whpg.drsync.exec;

import java.time.Duration;
import java.util.List;

/** Runs scripts on this machine, as {@code asUser} when this JVM is root (see {@link ProcessRunner}). */
public final class LocalHostShell implements HostShell {
    private final String asUser;

    public LocalHostShell(String asUser) {
        this.asUser = asUser;
    }

    @Override
    public CommandResult run(String script, Duration timeout) {
        return ProcessRunner.run(List.of("sh", "-c", script), asUser, timeout);
    }

    @Override
    public String describe() {
        return asUser == null ? "local" : "local(" + asUser + ")";
    }
}
