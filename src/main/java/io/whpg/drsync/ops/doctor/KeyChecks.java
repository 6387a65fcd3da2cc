package io.whpg.drsync.ops.doctor;

import io.whpg.drsync.config.Signing;
import io.whpg.drsync.state.ManifestKeys;
import io.whpg.drsync.state.ManifestTrust;
import io.whpg.drsync.state.SigningKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.List;

/** The manifest keys: the publisher's signing key readable (or to be created), the consumer's public key present. */
final class KeyChecks {
    private KeyChecks() {
    }

    static void signing(Signing s, List<Check> out) {
        if (s.privateKey() != null && s.defaulted() && !Files.exists(s.privateKey(), LinkOption.NOFOLLOW_LINKS)) {
            out.add(Check.pass("signing key", s.privateKey() + " is created on the first publish (0600); then copy "
                    + ManifestKeys.publicOf(s.privateKey()) + " to each separate DR host's dr_sync_keys/"));
            return;
        }
        try {
            SigningKeys.publisherKey(s);
            out.add(Check.pass("signing key", "manifests signed with " + s.privateKey()));
        } catch (IOException e) {
            out.add(Check.fail("signing key", e.getMessage(), "whpg_dr_sync keygen --out FILE, then set "
                    + "storage.signing_key to FILE"));
        }
    }

    static void verifying(Signing s, List<Check> out) {
        try {
            ManifestTrust trust = SigningKeys.consumerTrust(s);
            String detail = trust.key() != null ? "manifests verified with " + trust.keyPath() : "";
            out.add(Check.pass("manifest signatures", SigningKeys.unsignedWarning(trust)
                    .map(w -> (detail.isEmpty() ? "" : detail + "; ") + "WARNING " + w).orElse(detail)));
        } catch (IOException e) {
            if (s.defaulted() && s.privateKey() != null && !Files.exists(s.privateKey(), LinkOption.NOFOLLOW_LINKS)) {
                out.add(Check.pass("manifest signatures", "no key yet: " + s.publicKey() + " appears with the first "
                        + "publish when the publisher shares this config directory; on a separate DR host copy the "
                        + "publisher's .pub there"));
                return;
            }
            out.add(Check.fail("manifest signatures", e.getMessage(), "one of the three the message names"));
        }
    }
}
