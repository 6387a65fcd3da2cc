package io.whpg.drsync.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over the
 * target atomically, then fsync the directory so the rename itself survives a power loss.
 * A reader therefore sees either the old content or the new, never a torn mix.
 *
 * <p>Safe where another user owns the directory (the tool runs as root): the temp name is random and
 * created exclusively without following a symlink ({@code O_CREAT|O_EXCL|O_NOFOLLOW}), a final name that
 * is a symlink or not a regular file is refused (checked without following it; should one be planted
 * after the check, the rename replaces the link, never writes through it), the directory itself must not
 * be a symlink, and the temp file is removed on every failure path.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Crash tests only; see {@link #holdIfAsked}. */
    private static final String HOLD_BEFORE = System.getProperty("whpg.crash-test.hold-before-replacing");

    private AtomicFiles() {
    }

    public static void write(Path target, String content) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path target, byte[] content) throws IOException {
        try {
            replace(target, content);
        } catch (IOException e) {
            // no cause chained: whoever reports the deepest message of a chain gets this line, with the file's name
            throw new IOException(target + ": cannot write: " + reason(e));
        }
    }

    /** One line: the OS reason ("No space left on device"), without a temp file's name. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        String r = e instanceof java.nio.file.FileSystemException f ? f.getReason() : e.getMessage();
        if (r == null || r.isBlank()) {
            r = e.getClass().getSimpleName();
        }
        return r.lines().findFirst().orElse(r);
    }

    private static void replace(Path target, byte[] content) throws IOException {
        Path dir = directoryOf(target);
        refuseOdd(target);
        Path tmp = tempBeside(target);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                writeFully(ch, content);
            }
            holdIfAsked(target);
            refuseOdd(target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace atomically on this file system");
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
        fsyncDirectory(dir);
    }

    /**
     * Creates {@code target} with {@code content} only if no file (nor symlink) has that name: written to a
     * temp file first, then linked to the final name, which fails if the name is taken. Returns false when
     * the name was taken, leaving the existing file untouched.
     */
    public static boolean create(Path target, byte[] content) throws IOException {
        try {
            return link(target, content);
        } catch (IOException e) {
            throw new IOException(target + ": cannot create: " + reason(e));
        }
    }

    private static boolean link(Path target, byte[] content) throws IOException {
        Path dir = directoryOf(target);
        Path tmp = tempBeside(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                writeFully(ch, content);
            }
            try {
                Files.createLink(target, tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        fsyncDirectory(dir);
        return true;
    }

    /**
     * Crash tests only: started with {@code -Dwhpg.crash-test.hold-before-replacing=NAME}, the process stops
     * for good right before it would replace a file named NAME (its temp file written and synced) and says so
     * on stderr, so a test can kill it exactly between two steps. Without the property this does nothing.
     */
    private static void holdIfAsked(Path target) {
        if (HOLD_BEFORE == null || !HOLD_BEFORE.equals(target.getFileName().toString())) {
            return;
        }
        System.err.println("crash-test hold: " + target + " written to a temp file, not replaced");
        System.err.flush();
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // held until killed: that is the point
            }
        }
    }

    /** An existing {@code target} must itself (not through a link) be a regular file for the tool to replace it. */
    private static void refuseOdd(Path target) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (a.isSymbolicLink()) {
            throw new IOException("it is a symbolic link; refusing to write through or replace it");
        }
        if (!a.isRegularFile()) {
            throw new IOException("it is not a regular file; refusing to replace it");
        }
    }

    /** Removes {@code target} if present and fsyncs its directory, so the removal survives a power loss too. */
    public static void delete(Path target) throws IOException {
        if (Files.deleteIfExists(target)) {
            fsyncDirectory(target.toAbsolutePath().getParent());
        }
    }

    private static Path directoryOf(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is a symlink or not a directory");
        }
        return dir;
    }

    /** A random name beside {@code target} that nobody can guess in advance to plant a symlink there. */
    private static Path tempBeside(Path target) {
        return target.toAbsolutePath().resolveSibling(tempName(target.getFileName().toString()));
    }

    /** {@code .<fileName>.tmp-<16 random hex digits>}: the hidden temp name a write goes to before its rename. */
    public static String tempName(String fileName) {
        byte[] r = new byte[8];
        RANDOM.nextBytes(r);
        return "." + fileName + ".tmp-" + HexFormat.of().formatHex(r);
    }

    private static void writeFully(FileChannel ch, byte[] content) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        ch.force(true);
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
