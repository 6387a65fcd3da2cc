package io.whpg.drsync.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reading the tool's own files where others may plant things: only a regular file is opened (a symlink, FIFO,
 * device or directory is refused from its attributes, read without following a link, before any open, so a FIFO
 * can never block the reader), and at most a bound is read, so a huge or growing file cannot exhaust memory.
 */
public final class RegularFiles {
    private RegularFiles() {
    }

    /** The text of a regular file of at most {@code max} bytes; anything else is an IOException saying what it is. */
    public static String read(Path p, long max) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new IOException("not a regular file (" + (a.isSymbolicLink() ? "a symlink" : a.isDirectory()
                    ? "a directory" : "a FIFO, socket or device") + ")");
        }
        if (a.size() > max) {
            throw new IOException(a.size() + " bytes, more than the " + max + " bytes such a file may have");
        }
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            byte[] b = in.readNBytes((int) max + 1);
            if (b.length > max) {
                throw new IOException("grew past the " + max + " bytes such a file may have while read");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
