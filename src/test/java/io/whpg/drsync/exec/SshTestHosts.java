package io.whpg.drsync.exec;

import io.whpg.drsync.testing.Requires;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.whpg.drsync.sandbox.SshKeys;
import io.whpg.drsync.sandbox.SshdLogs;
import io.whpg.drsync.sandbox.SshdServer;

/**
 * Real OpenSSH DR hosts for integration tests: private sshd servers on loopback aliases, all on
 * one port (as ssh.port is one setting), a client key they accept, and a known_hosts file for them.
 * As root the servers run as the unprivileged {@code postgres} user, else as the current user.
 */
final class SshTestHosts implements AutoCloseable {
    static final String USER = OsUser.isRoot() ? "postgres" : OsUser.current();

    final Path base;
    final SshKeys.KeyPairFiles clientKey;
    final List<SshdServer> servers = new ArrayList<>();
    final Path knownHosts;
    final int port;

    /** One server per address, the i-th with host key type {@code keyTypes[i]}. */
    SshTestHosts(List<String> addresses, List<String> keyTypes) {
        Requires.openssh();
        try {
            base = Files.createTempDirectory("whpg-ssh-it-");
            // the sshd user must traverse it to reach its own directory below
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            clientKey = SshKeys.generate(base.resolve("id_ed25519"), "ed25519", null);
            port = SshdServer.freePort(addresses.toArray(String[]::new));
            for (int i = 0; i < addresses.size(); i++) {
                servers.add(SshdServer.start(base.resolve("sshd-" + addresses.get(i)), USER, addresses.get(i), port,
                        List.of(clientKey.publicKey()), List.of(keyTypes.get(i))));
            }
            knownHosts = base.resolve("known_hosts");
            SshKeys.writeKnownHosts(knownHosts, servers);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    SshdServer server(int i) {
        return servers.get(i);
    }

    /** A transport that trusts {@code knownHostsFile}, with a quick connect policy. */
    SshTransport transport(Path identity, Path knownHostsFile) {
        return new SshTransport(identity, knownHostsFile, Duration.ofSeconds(5), 3, Duration.ofMillis(100), "");
    }

    SshTransport transport() {
        return transport(clientKey.privateKey(), knownHosts);
    }

    /** A directory the remote user may write in. */
    Path writableDir(String name) throws IOException {
        Path dir = Files.createDirectories(base.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    /** Logins a server has accepted so far, from its own log: the server's count of SSH sessions. */
    static long acceptedLogins(SshdServer server) throws IOException {
        return SshdLogs.acceptedLogins(server.log(), USER);
    }

    @Override
    public void close() {
        servers.forEach(SshdServer::stop);
        if (base != null) {
            try (Stream<Path> paths = Files.walk(base)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
