package io.whpg.drsync.ops.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.config.Signing;
import io.whpg.drsync.state.ManifestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** doctor's key lines, on real key files: what a fresh host, a ready pair, a DR host without the .pub and a typo give. */
class KeyChecksTest {
    @TempDir
    Path dir;

    @Test
    void aFreshHostPassesSayingWhatTheFirstPublishCreates() {
        Path key = Signing.defaultPrivateKey(dir.resolve("dr_sync_config.json"));
        Signing s = new Signing(key, ManifestKeys.publicOf(key), false, true);
        List<Check> out = new ArrayList<>();
        KeyChecks.signing(s, out);
        KeyChecks.verifying(s, out);
        assertTrue(out.stream().allMatch(Check::ok), out.toString());
        assertTrue(out.get(0).detail().contains("is created on the first publish"), out.toString());
        assertFalse(Files.exists(key), "doctor creates no key");
    }

    @Test
    void aPairPassesAndADrHostWithoutThePublicKeyFailsNamingTheFixes() throws Exception {
        Path key = dir.resolve("keys/publisher.ed25519");
        ManifestKeys.create(key);
        List<Check> out = new ArrayList<>();
        KeyChecks.signing(new Signing(key, ManifestKeys.publicOf(key), false, false), out);
        KeyChecks.verifying(new Signing(key, ManifestKeys.publicOf(key), false, false), out);
        assertEquals(List.of("PASS signing key: manifests signed with " + key, "PASS manifest signatures: manifests verified with "
                + ManifestKeys.publicOf(key)), out.stream().map(Check::line).toList());

        Path drConfig = dir.resolve("dr-host/dr_sync_config.json");
        Path drKey = Signing.defaultPrivateKey(drConfig);
        Files.createDirectories(drKey.getParent());
        Files.writeString(drKey, "not a key\n");
        out.clear();
        KeyChecks.verifying(new Signing(drKey, ManifestKeys.publicOf(drKey), false, true), out);
        assertFalse(out.get(0).ok(), out.toString());
        assertTrue(out.get(0).line().startsWith("FAIL manifest signatures: no public key to verify manifests with: "
                + ManifestKeys.publicOf(drKey) + " does not exist; copy the publisher's .pub file there"), out.toString());

        out.clear();
        Path typo = dir.resolve("etc/sign.key");
        KeyChecks.signing(new Signing(typo, ManifestKeys.publicOf(typo), true, false), out);
        KeyChecks.verifying(new Signing(typo, ManifestKeys.publicOf(typo), true, false), out);
        assertFalse(out.get(0).ok(), out.toString());
        assertTrue(out.get(1).ok() && out.get(1).detail().startsWith("WARNING storage.allow_unsigned is true"), out.toString());
    }
}
