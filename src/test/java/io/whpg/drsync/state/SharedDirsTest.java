package io.whpg.drsync.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs as root, like the tool: real directories with real owners and modes. */
class SharedDirsTest {
    @TempDir
    Path tmp;

    @Test
    void aRootOwnedPrivateDirectoryIsFineAndAMissingOneIsNoProblem() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("state"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(List.of(), SharedDirs.problems(List.of(new SharedDirs.Setting("dr.state_dir", dir),
                new SharedDirs.Setting("dr.receipts_dir", tmp.resolve("missing")))));
    }

    @Test
    void aDirectoryAnotherUserOwnsOrMayWriteIsNamedWithItsSetting() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("receipts"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path owned = Files.createDirectory(tmp.resolve("state"));
        UserPrincipal nobody = owned.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(owned, nobody);
        Files.setPosixFilePermissions(owned, PosixFilePermissions.fromString("rwxr-xr-x"));
        String group = Files.readAttributes(shared, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        assertEquals(List.of(
                "dr.receipts_dir: " + shared + " writable by group " + group + ", writable by others: another user can plant files there while the tool runs as root",
                "dr.state_dir: " + owned + " owned by nobody: another user can plant files there while the tool runs as root"),
                SharedDirs.problems(List.of(new SharedDirs.Setting("dr.receipts_dir", shared),
                        new SharedDirs.Setting("dr.state_dir", owned))));
    }
}
