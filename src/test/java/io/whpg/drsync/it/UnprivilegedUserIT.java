package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.OsUser;
import io.whpg.drsync.exec.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README flow as a normal user: sandbox up, publish, consume, down, with the packaged jar run as
 * the unprivileged `postgres` user (when the build itself runs as root, as CI does) or as ourselves.
 */
class UnprivilegedUserIT {

    @Test
    void sandboxPublishConsumeAndDownAsANormalUser() throws Exception {
        String user = OsUser.isRoot() ? "postgres" : null;
        Path work = Files.createTempDirectory(Path.of("/tmp"), "whpg-user-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path jar = work.resolve("whpg-dr-sync.jar");
        Files.copy(Path.of(System.getenv("WHPG_DR_SYNC_JAR")), jar, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Path dir = work.resolve("sandbox");
        String cfg = dir.resolve("dr_sync_config.json").toString();
        try {
            CommandResult up = run(user, jar, "sandbox", "up", "--dir", dir.toString(), "--segments", "1");
            assertEquals(0, up.exitCode(), up.stderr());
            assertEquals(OsUser.isRoot() ? "postgres" : OsUser.current(), OsUser.ownerOf(dir.resolve("dr")));
            CommandResult pub = run(user, jar, "primary", "run", "--once", "--config", cfg);
            assertEquals(0, pub.exitCode(), pub.stderr());
            CommandResult dr = run(user, jar, "dr", "run", "--once", "--config", cfg);
            assertEquals(0, dr.exitCode(), dr.stderr());
            assertTrue(dr.stdout().startsWith("advanced to "), dr.stdout());
        } finally {
            assertEquals(0, run(user, jar, "sandbox", "down", "--dir", dir.toString()).exitCode());
            ProcessRunner.run(List.of("rm", "-rf", work.toString()), null, Duration.ofSeconds(60));
        }
    }

    private static CommandResult run(String user, Path jar, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("java", "-jar", jar.toString()));
        argv.addAll(List.of(args));
        return ProcessRunner.run(argv, user, Duration.ofSeconds(180));
    }
}
