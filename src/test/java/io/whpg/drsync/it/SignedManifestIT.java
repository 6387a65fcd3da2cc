package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.WalFile;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestCodec;
import io.whpg.drsync.state.ManifestKeys;
import io.whpg.drsync.state.ManifestSamples;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14 item 5 on a real sandbox: manifests prove their origin. The sandbox's config has no key setting:
 * the publisher's first cycle created the default pair beside it and the consumer verifies with its .pub. A
 * forged manifest (digest recomputed, signature stale or removed), an unsigned one, and a manifest checked with
 * the wrong public key are refused with nothing changed but a failure receipt: state file, success receipts and
 * every DR instance's data dir (so its pg_controldata) as they were.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignedManifestIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());

    private static Sandbox sandbox;
    private static Path config;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void convergeOnce() throws Exception {
        sandbox = SANDBOX.sandbox();
        config = sandbox.configFile();
        cfg = ConfigLoader.load(config);
        String point = publish("start");
        converge(point);
    }

    @Test
    @Order(1)
    void theDefaultKeyPairWasCreatedBesideTheConfigAndSignsEveryManifestAndLatest() throws Exception {
        Path key = config.resolveSibling("dr_sync_keys/publisher.ed25519");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(Files.isRegularFile(ManifestKeys.publicOf(key)));
        String point = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        JsonNode manifest = Json.MAPPER.readTree(cfg.storage().manifestDir().resolve(point + ".json").toFile());
        assertTrue(manifest.path("signature").asText().startsWith("ed25519:"), manifest.toString());
        assertTrue(Json.MAPPER.readTree(cfg.storage().latestPath().toFile()).path("signature").asText()
                .startsWith("ed25519:"));
    }

    /** Segment 0 moved back to the previous point's LSN, digest recomputed: the stale signature gives it away. */
    @Test
    @Order(2)
    void aForgedManifestWithARecomputedDigestIsRefusedWithNothingChanged() throws Exception {
        String current = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        Lsn earlier = manifest(current).segment(0).orElseThrow().restoreLsn();
        String point = publish("forged");
        Path file = cfg.storage().manifestDir().resolve(point + ".json");
        String original = Files.readString(file);
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(original);
        for (JsonNode s : root.path("segments")) {
            if (s.path("gp_segment_id").asInt() == 0) {
                ((ObjectNode) s).put("restore_lsn", earlier.toString()).put("wal_file",
                        WalFile.containing(earlier, s.path("timeline").asInt(), root.path("wal_segment_size").asLong()).name());
            }
        }
        String forged = ManifestSamples.resign(root);
        assertEquals(earlier, ManifestCodec.read(forged, "forged").segment(0).orElseThrow().restoreLsn(),
                "the digest passes: only the signature tells");
        try {
            AtomicFiles.write(file, forged);
            for (List<String> args : List.<List<String>>of(List.of(), List.of("--target", point))) {
                refused(config, args, "manifest_signature_invalid", file + ": signature: does not verify with the public key "
                        + config.resolveSibling("dr_sync_keys/publisher.ed25519.pub") + " (forged, edited, or signed by "
                        + "another publisher's key)");
            }
            root.remove("signature");
            AtomicFiles.write(file, ManifestSamples.resign(root));
            refused(config, List.of(), "manifest_unsigned", file + ": signature: missing (unsigned; only accepted with "
                    + "storage.allow_unsigned: true)");
        } finally {
            AtomicFiles.write(file, original);
        }
        converge(point);
    }

    /** Unsigned: refused; with storage.allow_unsigned it is applied, and every such cycle warns. */
    @Test
    @Order(3)
    void anUnsignedManifestIsRefusedUnlessAllowedAndThenWarnedEveryCycle() throws Exception {
        String point = publish("unsigned");
        Path file = cfg.storage().manifestDir().resolve(point + ".json");
        AtomicFiles.write(file, ManifestCodec.write(manifest(point)));
        refused(config, List.of(), "manifest_unsigned", file + ": signature: missing (unsigned; only accepted with "
                + "storage.allow_unsigned: true)");

        Path allowing = ItSupport.edited(config, "allow-unsigned", r -> ((ObjectNode) r.path("storage")).put("allow_unsigned", true));
        for (int cycle = 0; cycle < 2; cycle++) {
            try (ToolProcess p = ToolProcess.run(Duration.ofMinutes(3), "dr", "run", "--once", "--config", allowing.toString())) {
                assertEquals(0, p.exitCode(), p.output());
                assertTrue(p.stdout().startsWith(cycle == 0 ? "advanced to " + point : "nothing to do"), p.output());
                assertTrue(p.stderr().contains("storage.allow_unsigned is true: manifests without a signature are applied"),
                        p.output());
            }
        }
        assertEquals(Optional.of(point), new StateStore(cfg.dr().stateDir()).current());
        assertEquals(List.of(), Evidence.parkedAt(sandbox, point, cfg));
    }

    /** A manifest signed by the real publisher, checked with another key made by keygen: refused; keygen never overwrites. */
    @Test
    @Order(4)
    void aWrongPublicKeyIsRefusedAndKeygenNeverOverwrites() throws Exception {
        Path other = sandbox.dir().resolve("other-keys/site.ed25519");
        ItSupport.Run made = ItSupport.cli("keygen", "--out", other.toString());
        assertEquals(0, made.exitCode(), made.output());
        assertTrue(made.out().startsWith("wrote " + other + " (private, 0600) and " + other + ".pub (public)\n"), made.out());
        assertTrue(made.out().contains("\"signing_key\": \"" + other + "\"") && made.out().contains("\"verify_key\": \""
                + other + ".pub\""), made.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(other)));
        String key = Files.readString(other);
        ItSupport.Run again = ItSupport.cli("keygen", "--out", other.toString());
        assertEquals(2, again.exitCode(), again.output());
        assertEquals("whpg_dr_sync: keygen: " + other + " already exists; never overwritten (choose another --out)\n",
                again.err());
        assertEquals(key, Files.readString(other));

        String point = publish("wrong-key");
        Path wrong = ItSupport.edited(config, "wrong-key",
                r -> ((ObjectNode) r.path("storage")).put("verify_key", other + ".pub"));
        refused(wrong, List.of(), "manifest_signature_invalid", cfg.storage().manifestDir().resolve(point + ".json")
                + ": signature: does not verify with the public key " + other + ".pub");

        Path missing = ItSupport.edited(config, "no-key",
                r -> ((ObjectNode) r.path("storage")).put("verify_key", sandbox.dir().resolve("nowhere.pub").toString()));
        refused(missing, List.of(), "verify_key_unusable", "no public key to verify manifests with: "
                + sandbox.dir().resolve("nowhere.pub") + " does not exist; copy the publisher's .pub file there, set "
                + "storage.verify_key, or set storage.allow_unsigned: true");
        converge(point);
    }

    /** A publisher whose configured signing key does not exist fails before any restore point, creating no key. */
    @Test
    @Order(5)
    void aMissingConfiguredSigningKeyFailsThePublisherBeforeAnyRestorePoint() throws Exception {
        Path absent = sandbox.dir().resolve("absent/sign.ed25519");
        Path pub = ItSupport.edited(config, "absent-key", r -> ((ObjectNode) r.path("storage")).put("signing_key", absent.toString()));
        List<String> before;
        try (var s = Files.list(cfg.storage().manifestDir())) {
            before = s.map(Path::toString).sorted().toList();
        }
        ItSupport.Run r = ItSupport.publish(pub);
        assertEquals(1, r.exitCode(), r.output());
        assertEquals("FAILED signing_key_unusable: storage.signing_key: " + absent + " does not exist (make it with "
                + "whpg_dr_sync keygen --out " + absent + ")\n", r.out());
        assertFalse(Files.exists(absent));
        try (var s = Files.list(cfg.storage().manifestDir())) {
            assertEquals(before, s.map(Path::toString).sorted().toList(), "no manifest, no reservation");
        }
    }

    /** dr run fails with {@code status} and {@code detail}; only a failure receipt appears, pg_controldata unchanged. */
    private static void refused(Path configFile, List<String> extra, String status, String detail) throws Exception {
        Snapshot before = Snapshot.of(sandbox, cfg);
        List<String> controlBefore = controlData();
        Optional<String> current = new StateStore(cfg.dr().stateDir()).current();
        List<String> args = new ArrayList<>(List.of("dr", "run", "--once", "--config", configFile.toString()));
        args.addAll(extra);
        ItSupport.Run r = ItSupport.cli(args.toArray(String[]::new));
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.out().startsWith("FAILED " + status + ": " + detail), r.output());
        assertEquals(2, r.out().lines().count(), "one line and the receipt's path: " + r.out());
        List<String> changes = before.changesUntil(Snapshot.of(sandbox, cfg));
        assertEquals(1, changes.size(), changes.toString());
        assertTrue(changes.get(0).startsWith("created " + cfg.dr().receiptsDir() + "/")
                && changes.get(0).endsWith("." + status + ".receipt.json"), changes.get(0));
        assertEquals(current, new StateStore(cfg.dr().stateDir()).current());
        assertEquals(controlBefore, controlData());
    }

    private static List<String> controlData() {
        List<String> out = new ArrayList<>();
        for (SandboxInstance copy : sandbox.drCopies()) {
            out.add(copy.contentId() + " " + ItSupport.controlData(sandbox, copy.dataDir()));
        }
        return out;
    }

    private static String publish(String note) throws Exception {
        for (SandboxInstance p : sandbox.primaries()) {
            try (Connection c = sandbox.connectPrimary(p.contentId()); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO dr_probe(note) VALUES ('" + note + "')");
            }
        }
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        return ItSupport.latestReady(cfg);
    }

    private static void converge(String point) throws Exception {
        ItSupport.Run r = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(Optional.of(point), new StateStore(cfg.dr().stateDir()).current(), r.output());
        assertEquals(List.of(), Evidence.parkedAt(sandbox, point, cfg));
    }

    private static Manifest manifest(String point) throws Exception {
        return Evidence.manifests(cfg).read(point);
    }
}
