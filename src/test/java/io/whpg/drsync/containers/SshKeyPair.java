package io.whpg.drsync.containers;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A client key made with ssh-keygen for a test: the private key file and its OpenSSH public key line. */
public record SshKeyPair(Path privateKey, String publicKey) {

    public static SshKeyPair generate(Path dir, String name) {
        Path key = dir.resolve(name);
        CommandResult keygen = ProcessRunner.run(
                List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()),
                null, Duration.ofSeconds(10));
        if (!keygen.ok()) {
            throw new IllegalStateException("ssh-keygen for " + key + " failed: " + keygen.firstErrorLine());
        }
        try {
            return new SshKeyPair(key, Files.readString(dir.resolve(name + ".pub")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + key + ".pub", e);
        }
    }
}
