package io.whpg.drsync.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.state.AtomicFiles;

/** Key pairs made with ssh-keygen and known_hosts files for sandbox sshd servers. */
public final class SshKeys {
    private SshKeys() {
    }

    /** An unencrypted key pair: the private key file and its OpenSSH public key line ("type base64"). */
    public record KeyPairFiles(Path privateKey, String publicKey) {
    }

    /** Generates a key pair of {@code type} (ed25519, ecdsa, rsa) at {@code privateKey}, owned by {@code owner}. */
    public static KeyPairFiles generate(Path privateKey, String type, String owner) {
        try {
            Files.deleteIfExists(privateKey);
            Files.deleteIfExists(publicKeyFile(privateKey));
            CommandResult made = ProcessRunner.run(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "",
                    "-f", privateKey.toString()), owner, Duration.ofSeconds(30));
            if (!made.ok()) {
                throw new IllegalStateException("ssh-keygen -t " + type + " failed: " + made.firstErrorLine());
            }
            String line = Files.readString(publicKeyFile(privateKey), StandardCharsets.UTF_8).strip();
            String[] fields = line.split("\\s+");
            return new KeyPairFiles(privateKey, fields[0] + " " + fields[1]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make an SSH key at " + privateKey, e);
        }
    }

    /** A known_hosts line as OpenSSH writes it: a bare host on port 22, else {@code [host]:port}. */
    public static String knownHostsLine(String host, int port, String publicKey) {
        return (port == 22 ? host : "[" + host + "]:" + port) + " " + publicKey;
    }

    /** Writes a known_hosts file vouching for every host key of every server. */
    public static void writeKnownHosts(Path file, Collection<SshdServer> servers) {
        StringBuilder text = new StringBuilder();
        for (SshdServer server : servers) {
            for (String key : server.hostPublicKeys()) {
                text.append(knownHostsLine(server.host(), server.port(), key)).append('\n');
            }
        }
        try {
            AtomicFiles.write(file, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Path publicKeyFile(Path privateKey) {
        return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
    }
}
