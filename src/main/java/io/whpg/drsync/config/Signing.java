package io.whpg.drsync.config;

import java.nio.file.Path;

/**
 * {@code storage.signing_key} (the publisher's Ed25519 private key file), {@code storage.verify_key} (the
 * public key the consumer checks manifests with) and {@code storage.allow_unsigned}. {@code defaulted}: no
 * signing_key was set, so {@code privateKey} is the default beside the config file, which the publisher may
 * create on first use. Paths are null only for a config not read from a file.
 */
public record Signing(Path privateKey, Path publicKey, boolean allowUnsigned, boolean defaulted) {
    public static final String DEFAULT_KEY_FILE = "publisher.ed25519";

    public static Signing none() {
        return new Signing(null, null, false, false);
    }

    public static final String DEFAULT_KEY_DIR = "dr_sync_keys";

    /**
     * {@code <config dir>/dr_sync_keys/publisher.ed25519}: one pair per config directory, so every config file
     * there (the publisher's, the consumer's, edited copies) signs and verifies with the same key.
     */
    public static Path defaultPrivateKey(Path configFile) {
        return configFile.toAbsolutePath().normalize().resolveSibling(DEFAULT_KEY_DIR).resolve(DEFAULT_KEY_FILE);
    }
}
