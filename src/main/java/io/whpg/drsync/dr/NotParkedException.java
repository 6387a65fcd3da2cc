package io.whpg.drsync.dr;

/** An instance that must not be started by this cycle; the message says why, in one line. */
public class NotParkedException extends Exception {
    public NotParkedException(String message) {
        super(message);
    }
}
