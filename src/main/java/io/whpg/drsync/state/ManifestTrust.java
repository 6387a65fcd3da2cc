package io.whpg.drsync.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Optional;

/**
 * What the consumer accepts as a manifest's origin: a valid Ed25519 signature by the publisher's key
 * ({@code key}, read from {@code keyPath}); unsigned ones only with {@code allowUnsigned}. Without a key (only
 * possible with allowUnsigned) signatures cannot be checked and every manifest is taken as unsigned.
 */
public record ManifestTrust(PublicKey key, Path keyPath, boolean allowUnsigned) {
    public static final String UNSIGNED = "manifest_unsigned";
    public static final String SIGNATURE_INVALID = "manifest_signature_invalid";

    public ManifestTrust {
        if (key == null && !allowUnsigned) {
            throw new IllegalArgumentException("a public key is required unless unsigned manifests are allowed");
        }
    }

    /** Checks {@code signature} (the field's node, or null) over {@code canonical}; {@code source} starts the message. */
    public void check(String source, byte[] canonical, JsonNode signature) throws ManifestException {
        if (signature == null || signature.isNull()) {
            if (allowUnsigned) {
                return;
            }
            throw new ManifestException(UNSIGNED, source + ": signature: missing (unsigned; only accepted with "
                    + "storage.allow_unsigned: true)");
        }
        if (key == null) {
            return;
        }
        if (!signature.isTextual() || !ManifestKeys.verify(key, canonical, signature.asText())) {
            throw new ManifestException(SIGNATURE_INVALID, source + ": signature: does not verify with the public key "
                    + keyPath + " (forged, edited, or signed by another publisher's key)");
        }
    }

    /**
     * Whether {@code entry}, skipped because its origin is not proven, must fail a cycle that otherwise has nothing
     * new: it claims to be newer than {@code current} (by its name's stamp; no stamp counts as newer), so it is a
     * forged or unsigned point the DR is asked to take, not an old file from before signing.
     */
    public static boolean refusesNewer(ManifestStore.Entry entry, Optional<String> current) {
        if (!UNSIGNED.equals(entry.status()) && !SIGNATURE_INVALID.equals(entry.status())) {
            return false;
        }
        if (current.isEmpty()) {
            return true;
        }
        String file = entry.path().getFileName().toString();
        try {
            Instant named = RestorePointName.instantOf(file.substring(0, file.length() - ".json".length()));
            return !named.isBefore(RestorePointName.instantOf(current.get()));
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
