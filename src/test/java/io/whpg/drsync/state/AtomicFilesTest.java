package io.whpg.drsync.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.whpg.drsync.exec.OsUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A root-owned 0600 file outside every configured dir stays byte-identical; the link is left for the operator. */
    @Test
    void aSymlinkAtTheFinalNameIsRefusedNeverWrittenThrough() throws Exception {
        Path outside = Files.writeString(tmp.resolve("outside-secret"), "root only\n");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-------"));
        byte[] before = Files.readAllBytes(outside);
        Path dir = Files.createDirectory(tmp.resolve("state"));
        Path target = dir.resolve("current_restore_point.txt");
        Files.createSymbolicLink(target, outside);
        IOException e = assertThrows(IOException.class, () -> new StateStore(dir).advance("rp1"));
        assertEquals(target + ": cannot write: it is a symbolic link; refusing to write through or replace it", e.getMessage());
        assertEquals(e.getMessage(), io.whpg.drsync.primary.FailureText.rootCause(e), "the deepest message names the file");
        assertArrayEquals(before, Files.readAllBytes(outside));
        assertTrue(Files.isSymbolicLink(target));
        assertEquals(List.of("current_restore_point.txt"), names(dir));
    }

    @Test
    void aDirectoryOrFifoAtTheFinalNameIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.createDirectories(dir.resolve("a.json"));
        assertEquals(dir.resolve("a.json") + ": cannot write: it is not a regular file; refusing to replace it",
                assertThrows(IOException.class, () -> AtomicFiles.write(dir.resolve("a.json"), "{}")).getMessage());
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("b.json").toString()).start().waitFor());
        assertThrows(IOException.class, () -> AtomicFiles.write(dir.resolve("b.json"), "{}"));
        assertEquals(List.of("a.json", "b.json"), names(dir));
    }

    /** A real full file system (a 64 KiB tmpfs): one line naming the file and the cause, old content kept, no temp left. */
    @Test
    void aFullDiskIsOneLineAndLeavesNoTempFile() throws Exception {
        assumeTrue(OsUser.isRoot(), "mounting a small tmpfs needs root");
        Path mount = Files.createDirectories(tmp.resolve("full"));
        assertEquals(0, new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString())
                .inheritIO().start().waitFor(), "mount a tmpfs");
        try {
            Path target = mount.resolve("LATEST.json");
            AtomicFiles.write(target, "old\n");
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[200 * 1024]));
            assertEquals(target + ": cannot write: No space left on device", e.getMessage());
            assertEquals(e.getMessage(), io.whpg.drsync.primary.FailureText.rootCause(e));
            assertEquals("old\n", Files.readString(target));
            assertEquals(List.of("LATEST.json"), names(mount));
        } finally {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void theOldPidTempNameIsNotUsedSoAPlantedSymlinkThereIsNeverFollowed() throws Exception {
        Path outside = Files.writeString(tmp.resolve("outside-secret"), "root only\n");
        Path dir = Files.createDirectory(tmp.resolve("state"));
        Path planted = dir.resolve(".in_transit.json.tmp-" + ProcessHandle.current().pid());
        Files.createSymbolicLink(planted, outside);
        AtomicFiles.write(dir.resolve("in_transit.json"), "{}");
        assertEquals("root only\n", Files.readString(outside));
        assertTrue(Files.isSymbolicLink(planted));
    }

    @Test
    void aDirectoryThatIsASymlinkIsRefused() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve("receipts"), real);
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(link.resolve("r.json"), "{}"));
        assertEquals(link.resolve("r.json") + ": cannot write: " + link + " is a symlink or not a directory", e.getMessage());
        assertEquals(List.of(), names(real));
    }

    @Test
    void theTempFileIsRemovedWhenTheRenameFails() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("state"));
        Path target = Files.createDirectory(dir.resolve("taken"));
        Files.writeString(target.resolve("inside"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, "new"));
        assertTrue(e.getMessage().startsWith(target + ": cannot write: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals(List.of("taken"), names(dir));
    }

    @Test
    void createNeverReplacesAnExistingFileNorSymlink() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("m"));
        Path target = dir.resolve(".rp.reserved");
        assertTrue(AtomicFiles.create(target, "1\n".getBytes(StandardCharsets.UTF_8)));
        assertFalse(AtomicFiles.create(target, "2\n".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals("1\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target));
        Path outside = Files.writeString(tmp.resolve("outside"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve(".rp2.reserved"), outside);
        assertFalse(AtomicFiles.create(link, "2\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("keep", Files.readString(outside));
        assertEquals(List.of(".rp.reserved", ".rp2.reserved"), names(dir));
    }
}
