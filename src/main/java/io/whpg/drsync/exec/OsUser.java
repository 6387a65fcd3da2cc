package io.whpg.drsync.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who this process runs as, and who owns a path: PostgreSQL refuses root, so as root we act as the owner. */
public final class OsUser {
    private static final String NAME = System.getProperty("user.name");

    private OsUser() {
    }

    public static String current() {
        return NAME;
    }

    public static boolean isRoot() {
        return "root".equals(NAME);
    }

    public static String ownerOf(Path path) {
        try {
            return Files.getOwner(path).getName();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of " + path, e);
        }
    }
}
