package io.whpg.drsync.exec;

import java.time.Duration;

/** A command outlived its bound and was killed. */
public class CommandTimeoutException extends RuntimeException {
    public CommandTimeoutException(String where, Duration timeout) {
        super(where + ": command did not finish within " + timeout.toSeconds() + " s and was killed");
    }

    /** {@code running}: what was still running when the bound passed (the command that hung), or empty. */
    public CommandTimeoutException(String where, Duration timeout, String running) {
        super(where + ": did not finish within " + timeout.toSeconds() + " s and was killed"
                + (running.isEmpty() ? "" : " (still running: " + running + ")"));
    }
}
