package io.whpg.drsync.state;

import io.whpg.drsync.config.Signing;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which key signs (publisher) and which verifies (consumer), from {@code storage.signing_key},
 * {@code storage.verify_key} and {@code storage.allow_unsigned}. Problems are IOExceptions of one line
 * naming the file and the fix.
 */
public final class SigningKeys {
    public static final String SIGNING_KEY_UNUSABLE = "signing_key_unusable";
    public static final String VERIFY_KEY_UNUSABLE = "verify_key_unusable";
    private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);

    private SigningKeys() {
    }

    /**
     * The publisher's private key. The default key (no storage.signing_key) is created on first use, exclusively
     * and 0600, with its .pub beside it; a configured one must exist (made with {@code whpg_dr_sync keygen}).
     */
    public static PrivateKey publisherKey(Signing s) throws IOException {
        Path key = s.privateKey();
        if (key == null) {
            throw new IOException("storage.signing_key: not set (the config was not read from a file, so there is"
                    + " no default key beside it)");
        }
        if (!Files.exists(key, LinkOption.NOFOLLOW_LINKS)) {
            if (!s.defaulted()) {
                throw new IOException("storage.signing_key: " + key + " does not exist (make it with whpg_dr_sync"
                        + " keygen --out " + key + ")");
            }
            try {
                ManifestKeys.create(key);
                LOG.warn("created the manifest signing key {} (0600) and {}: the DR side verifies manifests with the"
                        + " .pub file (on another DR host: copy it into dr_sync_keys/ beside its config, or name it in storage.verify_key)",
                        key, ManifestKeys.publicOf(key));
            } catch (FileAlreadyExistsException raced) {
                LOG.debug("signing key {} created by another process", key);
            } catch (IOException e) {
                throw new IOException("storage.signing_key: cannot create the default key " + key + ": "
                        + AtomicFiles.reason(e), e);
            }
        }
        return ManifestKeys.readPrivate(key);
    }

    /**
     * The consumer's trust: the public key when its file exists; without one, unsigned manifests only when
     * allowed, else an IOException naming the three fixes.
     */
    public static ManifestTrust consumerTrust(Signing s) throws IOException {
        Path pub = s.publicKey();
        if (pub != null && Files.exists(pub, LinkOption.NOFOLLOW_LINKS)) {
            return new ManifestTrust(ManifestKeys.readPublic(pub), pub, s.allowUnsigned());
        }
        if (s.allowUnsigned()) {
            return new ManifestTrust(null, pub, true);
        }
        throw new IOException("no public key to verify manifests with: " + (pub == null ? "storage.verify_key not set"
                : pub + " does not exist") + "; copy the publisher's .pub file there, set storage.verify_key, or set"
                + " storage.allow_unsigned: true");
    }

    /** The warning every consumer cycle logs while unsigned manifests are accepted. */
    public static Optional<String> unsignedWarning(ManifestTrust trust) {
        if (!trust.allowUnsigned()) {
            return Optional.empty();
        }
        return Optional.of("storage.allow_unsigned is true: manifests without a signature are applied"
                + (trust.key() == null ? ", and no public key is configured, so no signature is checked" : "")
                + "; anyone who can write " + "the manifest store can choose the DR's restore point");
    }
}
