package io.whpg.drsync.sandbox;

import io.whpg.drsync.testing.Requires;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.whpg.drsync.exec.OsUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SshdServerIT {
    private static final String USER = OsUser.isRoot() ? "postgres" : OsUser.current();
    private Path base;

    @BeforeEach
    void makeBase() throws IOException {
        Requires.openssh();
        base = Files.createTempDirectory("whpg-sshd-it-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void removeBase() throws IOException {
        try (Stream<Path> paths = Files.walk(base)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void servesOnItsLoopbackAddressAsTheUnprivilegedUserUntilStopped() throws IOException {
        SshKeys.KeyPairFiles client = SshKeys.generate(base.resolve("id_ed25519"), "ed25519", null);
        SshdServer server = SshdServer.start(base.resolve("sshd"), USER, "127.0.0.2", 0,
                List.of(client.publicKey()), List.of("ed25519"));
        try {
            ProcessHandle daemon = ProcessHandle.of(server.pid()).orElseThrow();
            assertEquals(USER, daemon.info().user().orElseThrow());
            assertTrue(accepts(server.host(), server.port()));
            assertTrue(server.hostPublicKey().startsWith("ssh-ed25519 AAAA"), server.hostPublicKey());
            assertEquals(client.publicKey() + "\n",
                    Files.readString(base.resolve("sshd/authorized_keys"), StandardCharsets.UTF_8));

            IllegalStateException taken = assertThrows(IllegalStateException.class,
                    () -> SshdServer.start(base.resolve("sshd-2"), USER, "127.0.0.2", server.port(),
                            List.of(client.publicKey()), List.of("ed25519")));
            assertEquals("sshd cannot listen on 127.0.0.2:" + server.port() + ": the port is in use",
                    taken.getMessage());
        } finally {
            server.stop();
        }
        assertFalse(ProcessHandle.of(server.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(accepts(server.host(), server.port()));
    }

    @Test
    void writesKnownHostsForEveryHostKeyOfEveryServer() throws IOException {
        SshdServer server = SshdServer.start(base.resolve("sshd"), USER, "127.0.0.3", 0, List.of(),
                List.of("ecdsa", "ed25519"));
        try {
            Path knownHosts = base.resolve("known_hosts");
            SshKeys.writeKnownHosts(knownHosts, List.of(server));

            assertEquals(List.of("[127.0.0.3]:" + server.port() + " " + server.hostPublicKeys().get(0),
                    "[127.0.0.3]:" + server.port() + " " + server.hostPublicKeys().get(1)),
                    Files.readAllLines(knownHosts));
            assertTrue(server.hostPublicKeys().get(0).startsWith("ecdsa-sha2-nistp256 "));
        } finally {
            server.stop();
        }
    }

    @Test
    void stopsByPidFromAnywhereAndRestartsWithTheSameAddressPortAndHostKey() throws IOException {
        SshKeys.KeyPairFiles client = SshKeys.generate(base.resolve("id_ed25519"), "ed25519", null);
        Path dir = base.resolve("sshd");
        SshdServer first = SshdServer.start(dir, USER, "127.0.0.2", 0, List.of(client.publicKey()), List.of("ecdsa"));
        SshdServer again = null;
        try {
            assertTrue(SshdServer.running(first.pid(), dir));
            assertFalse(SshdServer.running(first.pid(), base.resolve("elsewhere")), "a pid names only its own sshd");
            assertFalse(SshdServer.running(ProcessHandle.current().pid(), dir));

            SshdServer.stop(first.pid(), dir);
            assertFalse(SshdServer.running(first.pid(), dir));
            assertFalse(accepts("127.0.0.2", first.port()));
            SshdServer.stop(first.pid(), dir); // already stopped: nothing to do

            again = SshdServer.restart(dir, USER, "127.0.0.2", first.port());
            assertTrue(SshdServer.running(again.pid(), dir));
            assertEquals(first.port(), again.port());
            assertEquals(first.hostPublicKeys(), again.hostPublicKeys());
            assertTrue(accepts("127.0.0.2", first.port()));
            assertEquals(client.publicKey() + "\n", Files.readString(dir.resolve("authorized_keys"), StandardCharsets.UTF_8));
        } finally {
            first.stop();
            if (again != null) {
                again.stop();
            }
        }
        assertFalse(SshdServer.running(again.pid(), dir));
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> SshdServer.restart(base.resolve("never"), USER, "127.0.0.2", 2222));
        assertTrue(none.getMessage().contains("no host key to restart with"), none.getMessage());
    }

    private static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
