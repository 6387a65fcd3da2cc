package io.whpg.drsync.archive;

import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.RegularFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/** An archive on a file system this process can read: one directory per content id ({@code archive.layout}). */
public final class LocalDirectoryArchive implements WalArchive {
    /** History files hold one short line per timeline switch or backup: far below this. */
    static final long MAX_TEXT_BYTES = 1 << 20;

    private final IntFunction<Path> dirFor;

    public LocalDirectoryArchive(IntFunction<Path> dirFor) {
        this.dirFor = dirFor;
    }

    @Override
    public Set<String> list(int gpSegmentId) {
        Path dir = dirFor.apply(gpSegmentId);
        try (Stream<Path> s = Files.list(dir)) {
            Set<String> names = new HashSet<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            return names;
        } catch (NoSuchFileException e) {
            throw new ArchiveException("archive directory of segment " + gpSegmentId + " does not exist: " + dir, e);
        } catch (IOException e) {
            throw new ArchiveException("cannot list archive directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A timeline history or backup history file: a regular file only (a FIFO cannot block, a link is not
     * followed), at most {@link #MAX_TEXT_BYTES}; bytes that are not UTF-8 are replaced, never an error,
     * so a damaged file is refused by its parser naming the line.
     */
    @Override
    public String read(int gpSegmentId, String fileName) {
        Path p = file(gpSegmentId, fileName);
        try {
            return RegularFiles.read(p, MAX_TEXT_BYTES);
        } catch (IOException e) {
            throw new ArchiveException("cannot read archive file " + p + ": " + AtomicFiles.reason(e), e);
        }
    }

    /** A regular file only, never through a symlink: a FIFO or a device named like a WAL file cannot block the read. */
    @Override
    public byte[] readRange(int gpSegmentId, String fileName, long offset, int length) {
        Path p = file(gpSegmentId, fileName);
        try {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new ArchiveException("archive file " + p + " is missing or not a regular file",
                        new java.io.FileNotFoundException(p.toString()));
            }
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer b = ByteBuffer.allocate(length);
                while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                    // until full or at the end of the file
                }
                return Arrays.copyOf(b.array(), b.position());
            }
        } catch (IOException e) {
            throw new ArchiveException("cannot read archive file " + p + ": " + e.getMessage(), e);
        }
    }

    private Path file(int gpSegmentId, String fileName) {
        if (fileName.contains("/") || fileName.startsWith(".")) {
            throw new IllegalArgumentException("archive file name: invalid \"" + fileName + "\"");
        }
        return dirFor.apply(gpSegmentId).resolve(fileName);
    }
}
