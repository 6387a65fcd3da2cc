package io.whpg.drsync.archive;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The WAL archive cannot be listed or read (missing directory, symlink loop, unreadable file): one line naming it. */
public class ArchiveException extends UncheckedIOException {
    public static final String STATUS = "archive_unreadable";

    public ArchiveException(String message, IOException cause) {
        super(message, cause);
    }
}
