package io.whpg.drsync.backend;

import io.whpg.drsync.archive.ArchiveException;
import java.io.IOException;

/**
 * A backend failed on one object: the message is one line, {@code <backend>://<where>/<key>: <cause>}, e.g.
 * {@code s3://dr-bucket/wal/0/000000010000000000000007: 403 AccessDenied}. Cycles fail with
 * {@link ArchiveException#STATUS} and that line.
 */
public final class BackendException extends ArchiveException {

    public BackendException(String message) {
        super(message, new IOException(message));
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause instanceof IOException io ? io : new IOException(message, cause));
    }
}
