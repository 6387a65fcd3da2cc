package io.whpg.drsync.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class SshSettingsTest {
    private static final Path KEY = Path.of("/keys/id_ed25519");
    private static final Path KNOWN = Path.of("/keys/known_hosts");

    @Test
    void missingSettingsDefaultAsOpenSshWould() {
        SshSettings settings = SshSettings.of(null, null, null, null);

        assertEquals(OsUser.current(), settings.user());
        assertEquals(22, settings.port());
        assertEquals(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"), settings.knownHosts());
        assertEquals(Path.of(System.getProperty("user.home"), ".ssh"), settings.identity().getParent());
        assertEquals(3, settings.connectTries());
    }

    @Test
    void badValuesAreRefusedNamingTheFieldAndTheValue() {
        assertEquals("ssh.port must be between 1 and 65535, got 70000",
                assertThrows(IllegalArgumentException.class, () -> SshSettings.of("u", 70000, KEY, KNOWN)).getMessage());
        assertEquals("ssh.user must not be empty",
                assertThrows(IllegalArgumentException.class, () -> SshSettings.of(" ", 22, KEY, KNOWN)).getMessage());
        assertEquals("ssh.connect_tries must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> SshSettings.of("u", 22, KEY, KNOWN).withRetry(Duration.ofSeconds(1), 0, Duration.ofSeconds(1)))
                .getMessage());
        assertEquals("ssh.connect_timeout must be a positive duration, got PT0S", assertThrows(
                IllegalArgumentException.class,
                () -> SshSettings.of("u", 22, KEY, KNOWN).withRetry(Duration.ZERO, 1, Duration.ofSeconds(1)))
                .getMessage());
        assertEquals("ssh.parallel_hosts must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> SshSettings.of("u", 22, KEY, KNOWN).withParallelHosts(0)).getMessage());
    }
}
