package io.whpg.drsync.backend;

import io.whpg.drsync.config.Backend;
import io.whpg.drsync.exec.OsUser;
import io.whpg.drsync.sandbox.SshKeys;
import io.whpg.drsync.sandbox.SshdServer;
import io.whpg.drsync.testing.Requires;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A real SFTP host for tests: a private OpenSSH sshd on a free loopback port serving OpenSSH's sftp-server, a
 * client key it accepts and a known_hosts file for it. As root the server runs as {@code postgres}.
 */
public final class SftpHost implements AutoCloseable {
    public static final String USER = OsUser.isRoot() ? "postgres" : OsUser.current();
    public final Path base;
    public final SshKeys.KeyPairFiles clientKey;
    public final SshdServer server;
    public final Path knownHosts;

    public SftpHost(Path base) throws IOException {
        Requires.openssh();
        this.base = base;
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        clientKey = SshKeys.generate(base.resolve("id_ed25519"), "ed25519", null);
        int port = SshdServer.freePort("127.0.0.1");
        server = SshdServer.start(base.resolve("sshd"), USER, "127.0.0.1", port, List.of(clientKey.publicKey()),
                List.of("ed25519"));
        knownHosts = base.resolve("known_hosts");
        SshKeys.writeKnownHosts(knownHosts, List.of(server));
    }

    /** A directory the server's user may write in. */
    public Path writableDir(String name) throws IOException {
        Path dir = Files.createDirectories(base.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    public Backend.Sftp settings() {
        return new Backend.Sftp("127.0.0.1", server.port(), USER, clientKey.privateKey(), knownHosts);
    }

    @Override
    public void close() {
        server.stop();
    }
}
