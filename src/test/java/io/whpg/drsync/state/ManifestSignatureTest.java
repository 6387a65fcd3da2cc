package io.whpg.drsync.state;

import static io.whpg.drsync.state.ManifestSamples.twoInstances;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.Signing;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14 item 5: manifests and LATEST.json signed by the publisher's Ed25519 key, checked by the consumer. */
class ManifestSignatureTest {
    private static final String SOURCE = "sync_point_20260201_181406.json";

    @TempDir
    Path dir;
    private KeyPair pair;
    private ManifestTrust trust;

    @BeforeEach
    void keys() throws IOException {
        pair = ManifestKeys.create(dir.resolve("keys/publisher.ed25519"));
        trust = new ManifestTrust(ManifestKeys.readPublic(dir.resolve("keys/publisher.ed25519.pub")),
                dir.resolve("keys/publisher.ed25519.pub"), false);
    }

    @Test
    void aSignedManifestVerifiesWithThePublishersKey() throws Exception {
        String text = ManifestCodec.write(twoInstances(), pair.getPrivate());
        assertTrue(Json.MAPPER.readTree(text).path("signature").asText().startsWith("ed25519:"), text);
        assertEquals(twoInstances(), ManifestCodec.read(text, SOURCE, trust));
        assertEquals(twoInstances(), ManifestCodec.read(text, SOURCE), "readers that do not check still read it");
    }

    @Test
    void everyTamperedByteWithARecomputedDigestIsRefused() throws Exception {
        ObjectNode root = tree(ManifestCodec.write(twoInstances(), pair.getPrivate()));
        ((ObjectNode) root.path("segments").get(1)).put("restore_lsn", "0/49FD4F0");
        String forged = ManifestSamples.resign(root);
        assertEquals("0/49FD4F0", ManifestCodec.read(forged, SOURCE).segment(0).orElseThrow().restoreLsn().toString(),
                "the digest alone passes: it proves no origin");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.read(forged, SOURCE, trust));
        assertEquals(ManifestTrust.SIGNATURE_INVALID, e.status());
        assertEquals(SOURCE + ": signature: does not verify with the public key " + trust.keyPath()
                + " (forged, edited, or signed by another publisher's key)", e.getMessage());

        ObjectNode ready = tree(ManifestCodec.write(twoInstances().withReadiness(false, Json.object()), pair.getPrivate()));
        ready.put("ready", true);
        assertEquals(ManifestTrust.SIGNATURE_INVALID, assertThrows(ManifestException.class,
                () -> ManifestCodec.read(ManifestSamples.resign(ready), SOURCE, trust)).status());
    }

    @Test
    void aManifestSignedByAnotherKeyIsRefused() throws Exception {
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String text = ManifestCodec.write(twoInstances(), other.getPrivate());
        assertEquals(ManifestTrust.SIGNATURE_INVALID,
                assertThrows(ManifestException.class, () -> ManifestCodec.read(text, SOURCE, trust)).status());
    }

    @Test
    void aMalformedSignatureIsRefused() throws Exception {
        for (String bad : new String[] {"ed25519:not base64!", "rsa:AAAA", "ed25519:AAAA", ""}) {
            ObjectNode root = tree(ManifestCodec.write(twoInstances(), pair.getPrivate()));
            root.put("signature", bad);
            assertEquals(ManifestTrust.SIGNATURE_INVALID,
                    assertThrows(ManifestException.class, () -> ManifestCodec.read(Json.pretty(root), SOURCE, trust)).status(),
                    bad);
        }
        ObjectNode number = tree(ManifestCodec.write(twoInstances(), pair.getPrivate()));
        number.put("signature", 42);
        assertThrows(ManifestException.class, () -> ManifestCodec.read(Json.pretty(number), SOURCE, trust));
    }

    @Test
    void anUnsignedManifestIsRefusedUnlessAllowed() throws Exception {
        String unsigned = ManifestCodec.write(twoInstances());
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.read(unsigned, SOURCE, trust));
        assertEquals(ManifestTrust.UNSIGNED, e.status());
        assertEquals(SOURCE + ": signature: missing (unsigned; only accepted with storage.allow_unsigned: true)",
                e.getMessage());

        ManifestTrust allowing = new ManifestTrust(trust.key(), trust.keyPath(), true);
        assertEquals(twoInstances(), ManifestCodec.read(unsigned, SOURCE, allowing));
        String forged = ManifestCodec.write(twoInstances(), KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
        assertEquals(ManifestTrust.SIGNATURE_INVALID, assertThrows(ManifestException.class,
                () -> ManifestCodec.read(forged, SOURCE, allowing)).status(), "allowing unsigned never excuses a bad signature");
        assertEquals(twoInstances(), ManifestCodec.read(unsigned, SOURCE, new ManifestTrust(null, null, true)));
        assertTrue(SigningKeys.unsignedWarning(allowing).isPresent());
        assertFalse(SigningKeys.unsignedWarning(trust).isPresent());
    }

    @Test
    void theStoreSignsManifestsAndLatestAndAConsumerStoreChecksBoth() throws Exception {
        Path manifests = dir.resolve("manifests");
        Path latest = dir.resolve("LATEST.json");
        ManifestStore publisher = new ManifestStore(manifests, latest, pair.getPrivate(), null);
        publisher.write(twoInstances());
        publisher.writeLatest(twoInstances());
        ManifestStore consumer = new ManifestStore(manifests, latest, null, trust);
        assertEquals(twoInstances(), consumer.read(twoInstances().restorePoint()));
        assertTrue(consumer.latest().orElseThrow().path("signature").asText().startsWith("ed25519:"));

        ObjectNode edited = (ObjectNode) Json.MAPPER.readTree(latest.toFile());
        edited.put("restore_point", "sync_point_20990101_000000");
        AtomicFiles.write(latest, Json.pretty(edited));
        IOException e = assertThrows(IOException.class, consumer::latest);
        assertTrue(e.getMessage().startsWith(latest + ": signature: does not verify"), e.getMessage());

        Path file = manifests.resolve(twoInstances().restorePoint() + ".json");
        AtomicFiles.write(file, ManifestCodec.write(twoInstances()));
        ManifestStore.Entry entry = consumer.readNewestFirst().get(0);
        assertEquals(ManifestTrust.UNSIGNED, entry.status());
        assertTrue(entry.manifest().isEmpty());
        assertEquals(ManifestTrust.UNSIGNED,
                assertThrows(ManifestException.class, () -> consumer.read(twoInstances().restorePoint())).status());
    }

    @Test
    void thePrivateKeyIsCreatedExclusively0600AndNeverOverwritten() throws Exception {
        Path key = dir.resolve("keys/publisher.ed25519");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(ManifestKeys.publicOf(key))));
        String before = Files.readString(key);
        assertThrows(FileAlreadyExistsException.class, () -> ManifestKeys.create(key));
        assertEquals(before, Files.readString(key), "an existing key is never replaced");

        Path victim = Files.writeString(dir.resolve("victim"), "root-owned\n");
        Path planted = dir.resolve("keys/planted.ed25519");
        Files.createSymbolicLink(planted, victim);
        assertThrows(FileAlreadyExistsException.class, () -> ManifestKeys.create(planted));
        assertEquals("root-owned\n", Files.readString(victim), "a symlink at the key's name is never written through");
    }

    @Test
    void keyFilesThatAreNotKeysAreNamed() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "hello\n");
        assertEquals(junk + ": expected a PEM block \"-----BEGIN PUBLIC KEY-----\"",
                assertThrows(IOException.class, () -> ManifestKeys.readPublic(junk)).getMessage());
        Path pub = dir.resolve("keys/publisher.ed25519.pub");
        assertEquals(pub + ": expected a PEM block \"-----BEGIN PRIVATE KEY-----\"",
                assertThrows(IOException.class, () -> ManifestKeys.readPrivate(pub)).getMessage());
    }

    @Test
    void theDefaultKeyIsCreatedOnFirstUseAndAConfiguredOneMustExist() throws Exception {
        Path config = dir.resolve("site/dr_sync_config.json");
        Path key = Signing.defaultPrivateKey(config);
        assertEquals(dir.resolve("site/dr_sync_keys/publisher.ed25519"), key);
        Signing dflt = new Signing(key, ManifestKeys.publicOf(key), false, true);
        IOException none = assertThrows(IOException.class, () -> SigningKeys.consumerTrust(dflt));
        assertEquals("no public key to verify manifests with: " + ManifestKeys.publicOf(key) + " does not exist; copy the"
                + " publisher's .pub file there, set storage.verify_key, or set storage.allow_unsigned: true", none.getMessage());

        String signed = ManifestCodec.write(twoInstances(), SigningKeys.publisherKey(dflt));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals(twoInstances(), ManifestCodec.read(signed, SOURCE, SigningKeys.consumerTrust(dflt)));
        String again = Files.readString(key);
        SigningKeys.publisherKey(dflt);
        assertEquals(again, Files.readString(key), "the second use reads the same key");

        Path missing = dir.resolve("etc/sign.key");
        IOException e = assertThrows(IOException.class,
                () -> SigningKeys.publisherKey(new Signing(missing, ManifestKeys.publicOf(missing), false, false)));
        assertEquals("storage.signing_key: " + missing + " does not exist (make it with whpg_dr_sync keygen --out "
                + missing + ")", e.getMessage());
        assertFalse(Files.exists(missing), "a configured key is never made up");
        assertEquals(new ManifestTrust(null, ManifestKeys.publicOf(missing), true),
                SigningKeys.consumerTrust(new Signing(missing, ManifestKeys.publicOf(missing), true, false)));
    }

    @Test
    void onlyUnprovenManifestsNamedAfterTheCurrentPointFailACycle() {
        ManifestStore.Entry unsigned = new ManifestStore.Entry(Path.of("/m/sync_point_20260201_181406.json"),
                Optional.empty(), "x", ManifestTrust.UNSIGNED);
        assertTrue(ManifestTrust.refusesNewer(unsigned, Optional.empty()));
        assertTrue(ManifestTrust.refusesNewer(unsigned, Optional.of("sync_point_20260201_181406")));
        assertFalse(ManifestTrust.refusesNewer(unsigned, Optional.of("sync_point_20260201_181500")),
                "an old unsigned file from before signing does not stop the DR");
        assertTrue(ManifestTrust.refusesNewer(new ManifestStore.Entry(Path.of("/m/nostamp.json"), Optional.empty(), "x",
                ManifestTrust.SIGNATURE_INVALID), Optional.of("sync_point_20260201_181500")));
        assertFalse(ManifestTrust.refusesNewer(new ManifestStore.Entry(Path.of("/m/sync_point_20990101_000000.json"),
                Optional.empty(), "x", ManifestException.INVALID), Optional.empty()), "a torn file stays a skipped file");
    }

    private static ObjectNode tree(String text) throws IOException {
        return (ObjectNode) Json.MAPPER.readTree(text);
    }
}
