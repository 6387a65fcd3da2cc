package io.whpg.drsync.exec;

import java.time.Duration;

/**
 * Runs POSIX shell scripts on one DR host: the local machine or a remote one over SSH.
 * Every DR step for an instance is a script, so local and remote instances share one code path.
 */
public interface HostShell extends AutoCloseable {

    /** Runs {@code script} with {@code sh}; throws {@link CommandTimeoutException} past {@code timeout}. */
    CommandResult run(String script, Duration timeout);

    /** A short name for logs and receipts, e.g. {@code local} or {@code gpadmin@dr-seg-1:22}. */
    String describe();

    /** SSH logins this shell has made so far (a local shell makes none). */
    default int sessionsOpened() {
        return 0;
    }

    /** Its user (a cycle) is done with it: a shell kept for the process's life stays open, any other closes. */
    default void release() {
        close();
    }

    @Override
    default void close() {
    }
}
