package io.whpg.drsync.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SandboxLayoutTest {

    @Test
    void namesFollowGreenplumAndTheArchiveLayoutByContentId() {
        SandboxLayout layout = SandboxLayout.of(Path.of("/tmp/sbx/../sbx"));
        assertEquals(Path.of("/tmp/sbx"), layout.dir());
        assertEquals(Path.of("/tmp/sbx/primary/gpseg-1"), layout.primaryDataDir(-1));
        assertEquals(Path.of("/tmp/sbx/dr/gpseg0"), layout.drDataDir(0));
        assertEquals(Path.of("/tmp/sbx/archive/-1"), layout.archiveDir(-1));
        assertEquals(Path.of("/tmp/sbx/dr/gpseg1/log/postgresql.log"), layout.drLog(1));
        assertEquals(Path.of("/tmp/sbx/logs/primary-gpseg1.log"), layout.primaryLog(1));
        assertEquals(Path.of("/tmp/sbx/ssh/127.0.0.3"), layout.sshHostDir("127.0.0.3"));
        assertEquals(Path.of("/tmp/sbx/ssh/id_ed25519"), layout.clientKey());
        assertEquals(Path.of("/tmp/sbx/ssh/known_hosts"), layout.knownHosts());
    }

    @Test
    void refusesPathsThatNeedQuotingOrOverflowSocketPaths() {
        String quoted = assertThrows(IllegalArgumentException.class, () -> SandboxLayout.of(Path.of("/tmp/my sandbox")))
                .getMessage();
        assertTrue(quoted.startsWith("sandbox dir: only letters") && quoted.endsWith("got /tmp/my sandbox"), quoted);
        assertThrows(IllegalArgumentException.class, () -> SandboxLayout.of(Path.of("/tmp/it's")));
        String longDir = "/tmp/" + "x".repeat(84);
        String tooLong = assertThrows(IllegalArgumentException.class, () -> SandboxLayout.of(Path.of(longDir))).getMessage();
        assertEquals("sandbox dir: too long for unix socket paths (max 88 characters), got " + longDir, tooLong);
        // 88 characters + "/run/.s.PGSQL.65535" = 107, the longest socket path PostgreSQL accepts.
        SandboxLayout.of(Path.of("/tmp/" + "x".repeat(83)));
    }
}
