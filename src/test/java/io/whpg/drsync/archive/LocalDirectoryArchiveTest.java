package io.whpg.drsync.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte ranges of archived WAL files: only regular files, never through a symlink, bounded at the file's end. */
class LocalDirectoryArchiveTest {
    @TempDir
    Path dir;

    @Test
    void aRangeIsReadFromARegularFileOnly() throws Exception {
        Path seg0 = Files.createDirectories(dir.resolve("0"));
        byte[] content = new byte[100];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i;
        }
        Files.write(seg0.resolve("000000010000000000000001"), content);
        LocalDirectoryArchive archive = new LocalDirectoryArchive(id -> dir.resolve(String.valueOf(id)));

        assertArrayEquals(new byte[] {40, 41, 42}, archive.readRange(0, "000000010000000000000001", 40, 3));
        assertEquals(2, archive.readRange(0, "000000010000000000000001", 98, 10).length, "short at the end of the file");

        Files.createSymbolicLink(seg0.resolve("000000010000000000000002"), seg0.resolve("000000010000000000000001"));
        io.whpg.drsync.exec.ProcessRunner.run(List.of("mkfifo", seg0.resolve("000000010000000000000003").toString()), null,
                Duration.ofSeconds(10));
        for (String odd : List.of("000000010000000000000002", "000000010000000000000003", "000000010000000000000004")) {
            long t0 = System.nanoTime();
            String why = assertThrows(UncheckedIOException.class, () -> archive.readRange(0, odd, 0, 40)).getMessage();
            assertEquals("archive file " + seg0.resolve(odd) + " is missing or not a regular file", why);
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "a FIFO must not block");
        }
    }

    @Test
    void aHistoryFileIsReadAsTextFromARegularFileOnlyWhateverItsBytes() throws Exception {
        Path seg0 = Files.createDirectories(dir.resolve("0"));
        LocalDirectoryArchive archive = new LocalDirectoryArchive(id -> dir.resolve(String.valueOf(id)));
        Files.write(seg0.resolve("00000002.history"), new byte[] {'1', '\t', '0', '/', '3', '0', '0', '0', '0', '0', '0', '\t',
            (byte) 0xff, (byte) 0xfe, '\n'});
        assertEquals("1\t0/3000000\t\ufffd\ufffd\n", archive.read(0, "00000002.history"),
                "bytes that are not UTF-8 are replaced, for the parser to judge");

        Files.createSymbolicLink(seg0.resolve("00000003.history"), seg0.resolve("00000002.history"));
        io.whpg.drsync.exec.ProcessRunner.run(List.of("mkfifo", seg0.resolve("00000004.history").toString()), null,
                Duration.ofSeconds(10));
        Files.write(seg0.resolve("00000005.history"), new byte[(int) LocalDirectoryArchive.MAX_TEXT_BYTES + 1]);
        for (String odd : List.of("00000003.history", "00000004.history", "00000005.history", "00000006.history")) {
            long t0 = System.nanoTime();
            String why = assertThrows(UncheckedIOException.class, () -> archive.read(0, odd)).getMessage();
            assertTrue(why.startsWith("cannot read archive file " + seg0.resolve(odd) + ": "), why);
            assertEquals(1, why.lines().count(), why);
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "a FIFO must not block");
        }
    }
}
