package io.whpg.drsync.sandbox;

import io.whpg.drsync.exec.OsUser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** up() refuses bad directories with one line, before it starts anything. */
class SandboxUpRefusesTest {

    @Test
    void nonEmptyDir(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("precious.txt"), "keep me");
        IOException e = assertThrows(IOException.class, () -> Sandbox.up(dir, SandboxOptions.defaults()));
        assertEquals("sandbox dir " + dir + ": must be empty or absent", e.getMessage());
        assertEquals("keep me", Files.readString(dir.resolve("precious.txt")));
    }

    @Test
    void dirNeedingQuotes(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> Sandbox.up(dir.resolve("a b"), SandboxOptions.defaults()));
        assertTrue(e.getMessage().startsWith("sandbox dir: only letters"), e.getMessage());
    }

    @Test
    void dirTheServiceUserCannotReach() throws IOException {
        Assumptions.assumeTrue(OsUser.isRoot(), "only root hands the servers to another user");
        Path parent = Files.createTempDirectory(Path.of("/tmp"), "whpg-sandbox-private-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Path dir = parent.resolve("sbx");
            IOException e = assertThrows(IOException.class, () -> Sandbox.up(dir, SandboxOptions.defaults()));
            assertTrue(e.getMessage().startsWith("sandbox dir " + dir + ": user "), e.getMessage());
            assertTrue(e.getMessage().contains("a parent directory is not traversable"), e.getMessage());
        } finally {
            SandboxFixture.deleteTree(parent);
        }
    }
}
