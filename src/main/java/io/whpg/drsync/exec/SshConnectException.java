package io.whpg.drsync.exec;

/** A DR host could not be reached over SSH, or refused us (host key, login); the message is one line naming the host. */
public class SshConnectException extends RuntimeException {
    public SshConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
