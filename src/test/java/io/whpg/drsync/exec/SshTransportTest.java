package io.whpg.drsync.exec;

import io.whpg.drsync.testing.Requires;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.whpg.drsync.sandbox.SshKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config mistakes surface when the cycle's SSH client is built, before any host is dialled. */
class SshTransportTest {
    @TempDir
    Path dir;

    @Test
    void aMissingKnownHostsFileIsRefused() {
        Requires.sshKeygen();
        Path key = SshKeys.generate(dir.resolve("id_ed25519"), "ed25519", null).privateKey();
        Path missing = dir.resolve("known_hosts");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> transport(key, missing));

        assertEquals("ssh.known_hosts: cannot read " + missing
                + " (host keys are always verified; add the DR hosts' keys with ssh-keyscan)", e.getMessage());
    }

    @Test
    void aMissingOrUnusableIdentityIsRefused() throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "");
        Path missing = dir.resolve("id_missing");
        Path notAKey = Files.writeString(dir.resolve("id_garbage"), "not a key\n");
        Path encrypted = dir.resolve("id_encrypted");
        assertTrue(ProcessRunner.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f",
                encrypted.toString()), null, Duration.ofSeconds(30)).ok());

        assertEquals("ssh.identity: cannot read private key file " + missing, refusal(missing, knownHosts));
        assertEquals("ssh.identity: no private key in " + notAKey + " (expected an OpenSSH or PEM private key file)",
                refusal(notAKey, knownHosts));
        assertEquals("ssh.identity: cannot load private key " + encrypted + ": it is protected by a passphrase;"
                + " the tool runs unattended and needs a key without one", refusal(encrypted, knownHosts));
    }

    @Test
    void sshKexKeepsItsOrderAndRefusesANameTheLibraryCannotRun() {
        assertEquals(List.of("curve25519-sha256", "sntrup761x25519-sha512@openssh.com"),
                SshTransport.keyExchanges("curve25519-sha256,sntrup761x25519-sha512@openssh.com").stream()
                        .map(f -> f.getName()).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SshTransport.keyExchanges("curve25519-sha256,diffie-hellman-group1-sha999"));
        assertTrue(e.getMessage().startsWith("ssh.kex: unknown or unavailable key exchange diffie-hellman-group1-sha999"
                + " (available: "), e.getMessage());
        assertTrue(e.getMessage().contains("curve25519-sha256"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    private static String refusal(Path key, Path knownHosts) {
        return assertThrows(IllegalArgumentException.class, () -> transport(key, knownHosts)).getMessage();
    }

    private static SshTransport transport(Path key, Path knownHosts) {
        return new SshTransport(key, knownHosts, Duration.ofSeconds(5), 1, Duration.ofSeconds(1), "");
    }
}
