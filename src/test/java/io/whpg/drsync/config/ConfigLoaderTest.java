package io.whpg.drsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLE = Path.of("config", "dr_sync_config.json");

    @TempDir
    Path home;

    @Test
    void theShippedExampleIsTheSeedsConfigAndLoadsWithoutWarnings() throws Exception {
        DrSyncConfig config = ConfigLoader.load(EXAMPLE);

        assertEquals(new Primary("whpg-coordinator", 5432, "postgres", "gpadmin", "-c gp_role=utility", null, 10),
                config.primary());
        Path key = EXAMPLE.toAbsolutePath().normalize().resolveSibling("dr_sync_keys").resolve("publisher.ed25519");
        assertEquals(new Storage(Path.of("/data/archive/dr_sync/manifests"), Path.of("/data/archive/dr_sync/LATEST.json"),
                new Keep(500, null), new Signing(key, key.resolveSibling("publisher.ed25519.pub"), false, true)),
                config.storage());
        assertEquals(new Archive(Path.of("/data/archive/wal"), "%c", "direct:archive-local"), config.archive());
        assertEquals(new Dr(Path.of("/usr/local/greenplum-db"), "/usr/local/greenplum-db/bin",
                Path.of("/data/archive/dr_sync/dr_state"), Path.of("/data/archive/dr_sync/receipts"),
                List.of(new Instance(-1, "dr-coordinator", 5432, "/data/coordinator/gpseg-1", true, null, null),
                        new Instance(0, "dr-segment-1", 6000, "/data/primary/seg/gpseg0", false, null, null)),
                "/data/archive/dr_sync/dr_state"), config.dr());
        assertEquals(new Behavior(10, 30, 5, 300, 64, 120, "sync_point_"), config.behavior());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void builtInBackendsAreSelectedByConfigAlone() throws Exception {
        ObjectNode s3 = example();
        s3.withObjectProperty("archive").put("backend", "s3").putObject("s3").put("bucket", "dr-wal")
                .put("endpoint", "http://127.0.0.1:9000").put("path_style", true)
                .put("access_key_env", "S3_KEY").put("secret_key_env", "S3_SECRET");
        s3.withObjectProperty("storage").put("backend", "archive");
        DrSyncConfig c = parse(s3);
        assertEquals(new Archive(Path.of("/data/archive/wal"), "%c", "direct:archive-backend", new Backend("s3",
                new Backend.S3("dr-wal", "us-east-1", "http://127.0.0.1:9000", true, "S3_KEY", "S3_SECRET"), null)),
                c.archive());
        assertEquals(true, c.storage().inArchiveBackend());

        ObjectNode sftp = example();
        sftp.withObjectProperty("archive").put("backend", "sftp").putObject("sftp").put("host", "backup-1");
        DrSyncConfig f = parse(sftp);
        assertEquals(new Backend.Sftp("backup-1", 22, "gpadmin", home.resolve(".ssh/id_rsa"), home.resolve(".ssh/known_hosts")),
                f.archive().backend().sftp(), "user, key and known_hosts default to the ssh section's");
        assertEquals(false, f.storage().inArchiveBackend());
        assertEquals(List.of(), f.warnings());
        assertEquals(Backend.posix(), parse(example()).archive().backend());
    }

    @Test
    void optionalKeysTakeTheirDefaults() throws Exception {
        DrSyncConfig config = parse(example());

        assertEquals("-c gp_role=utility", config.primary().utilityOptions());
        assertNull(config.primary().passwordEnv());
        assertEquals(10, config.primary().connectTimeoutSecs());
        assertEquals("%c", config.archive().layout());
        assertEquals("direct:archive-local", config.archive().listEndpoint());
        assertEquals("/usr/local/greenplum-db/bin", config.dr().pgBin());
        assertEquals("/data/archive/dr_sync/dr_state", config.dr().lockDir());
        assertNull(config.dr().instances().get(1).sshPort());
        assertNull(config.dr().instances().get(1).osUser());
        assertEquals(new Ssh("gpadmin", home.resolve(".ssh/id_rsa"), home.resolve(".ssh/known_hosts"), 22, 10, 120, 8, 3, ""),
                config.ssh());
        assertEquals(120, config.behavior().publisherWaitArchiveSecs());
        assertEquals("sync_point_", config.behavior().restorePointPrefix());
    }

    @Test
    void theDefaultIdentityIsEd25519WhenThatKeyExists() throws Exception {
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_ed25519"), "key");

        assertEquals(home.resolve(".ssh/id_ed25519"), parse(example()).ssh().identity());
    }

    @Test
    void jsonNullOnAnOptionalKeyMeansItsDefault() throws Exception {
        ObjectNode json = example();
        json.withObjectProperty("primary").putNull("password_env").putNull("utility_options");
        json.putNull("ssh");
        instance(json, 1).putNull("ssh_port").putNull("os_user");

        DrSyncConfig config = parse(json);

        assertNull(config.primary().passwordEnv());
        assertEquals("-c gp_role=utility", config.primary().utilityOptions());
        assertEquals(22, config.ssh().port());
        assertNull(config.dr().instances().get(1).sshPort());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void everyOptionalKeyIsRead() throws Exception {
        ObjectNode json = example();
        json.withObjectProperty("primary").put("utility_options", "").put("password_env", "PGPASSWORD_PRIMARY")
                .put("connect_timeout_secs", 3);
        json.withObjectProperty("archive").put("layout", "seg%c/wal").put("list_endpoint", "direct:archive-s3");
        json.withObjectProperty("dr").put("pg_bin", "/usr/lib/postgresql/15/bin").put("lock_dir", "/run/whpg_dr_sync");
        instance(json, 1).put("ssh_port", 2222).put("os_user", "postgres");
        json.putObject("ssh").put("user", "gpadmin").put("identity", "/etc/whpg/id_ed25519")
                .put("known_hosts", "/etc/whpg/known_hosts").put("port", 2200).put("connect_timeout_secs", 5)
                .put("command_timeout_secs", 600).put("max_parallel_hosts", 32).put("retries", 0);
        json.withObjectProperty("behavior").put("publisher_wait_archive_secs", 30).put("restore_point_prefix", "dr-");

        DrSyncConfig config = parse(json);

        assertEquals(new Primary("whpg-coordinator", 5432, "postgres", "gpadmin", "", "PGPASSWORD_PRIMARY", 3),
                config.primary());
        assertEquals(new Archive(Path.of("/data/archive/wal"), "seg%c/wal", "direct:archive-s3"), config.archive());
        assertEquals("/usr/lib/postgresql/15/bin", config.dr().pgBin());
        assertEquals("/run/whpg_dr_sync", config.dr().lockDir());
        assertEquals(new Instance(0, "dr-segment-1", 6000, "/data/primary/seg/gpseg0", false, 2222, "postgres"),
                config.dr().instances().get(1));
        assertEquals(new Ssh("gpadmin", Path.of("/etc/whpg/id_ed25519"), Path.of("/etc/whpg/known_hosts"), 2200, 5, 600,
                32, 0, ""), config.ssh());
        assertEquals(new Behavior(10, 30, 5, 300, 64, 30, "dr-"), config.behavior());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void unknownKeysAreWarningsNamingTheirPathNotErrors() throws Exception {
        ObjectNode json = example();
        json.put("comment", "lab cluster");
        json.withObjectProperty("primary").put("hots", "typo");
        instance(json, 0).put("foo", 1);
        json.putObject("ssh").put("key_file", "/x");
        json.withObjectProperty("behavior").putObject("extra").put("nested", true);

        DrSyncConfig config = parse(json);

        assertEquals(List.of(
                "unknown key \"comment\" ignored",
                "unknown key \"primary.hots\" ignored",
                "unknown key \"dr.instances[0].foo\" ignored",
                "unknown key \"ssh.key_file\" ignored",
                "unknown key \"behavior.extra\" ignored"), config.warnings());
    }

    @Test
    void anUnknownKeyWithALineBreakStaysOneLine() throws Exception {
        ObjectNode json = example();
        json.put("a\nb", 1);

        assertEquals(List.of("unknown key \"a\\nb\" ignored"), parse(json).warnings());
    }

    @Test
    void dirForSubstitutesTheSegmentIdIntoTheLayout() {
        Archive flat = new Archive(Path.of("/data/archive/wal"), "%c", "direct:archive-local");
        Archive nested = new Archive(Path.of("/wal"), "seg%c/pg_wal", "direct:archive-local");

        assertEquals(Path.of("/data/archive/wal/-1"), flat.dirFor(-1));
        assertEquals(Path.of("/data/archive/wal/0"), flat.dirFor(0));
        assertEquals(Path.of("/wal/seg12/pg_wal"), nested.dirFor(12));
    }

    @Test
    void signingKeysDefaultBesideTheConfigFileAndCanBeSet() throws Exception {
        Path file = home.resolve("site.json");
        ObjectNode json = example();
        Files.writeString(file, json.toString());
        Path dflt = home.resolve("dr_sync_keys").resolve("publisher.ed25519");
        assertEquals(new Signing(dflt, home.resolve("dr_sync_keys").resolve("publisher.ed25519.pub"), false, true),
                ConfigLoader.load(file).storage().signing());

        json.withObjectProperty("storage").put("signing_key", "/etc/whpg/sign.key");
        Files.writeString(file, json.toString());
        assertEquals(new Signing(Path.of("/etc/whpg/sign.key"), Path.of("/etc/whpg/sign.key.pub"), false, false),
                ConfigLoader.load(file).storage().signing(), "verify_key defaults to the signing key's .pub");

        json.withObjectProperty("storage").put("verify_key", "/etc/whpg/publisher.pub").put("allow_unsigned", true);
        Files.writeString(file, json.toString());
        assertEquals(new Signing(Path.of("/etc/whpg/sign.key"), Path.of("/etc/whpg/publisher.pub"), true, false),
                ConfigLoader.load(file).storage().signing());
        assertTrue(ConfigLoader.load(file).warnings().isEmpty(), "the key settings are known keys");
    }

    @Test
    void storageKeepDefaultsToFiveHundredAndTakesCountAndDays() throws Exception {
        assertEquals(new Keep(500, null), parse(example()).storage().keep());
        ObjectNode json = example();
        json.withObjectProperty("storage").putObject("keep").put("count", 50).put("days", 7);
        assertEquals(new Keep(50, 7), parse(json).storage().keep());
        json.withObjectProperty("storage").putObject("keep").put("count", 1);
        ConfigException e = assertThrows(ConfigException.class, () -> parse(json));
        assertTrue(e.getMessage().startsWith("storage.keep.count:"), e.getMessage());
    }

    @Test
    void maxLagDefaultsToTwoRoundsOfBothRolesAtLeastFifteenMinutesAndCanBeSet() throws Exception {
        assertEquals(900, Behavior.defaultMaxLagSecs(10, 30, 60, 30), "short intervals: the 15-minute floor");
        assertEquals(920, Behavior.defaultMaxLagSecs(10, 30, 300, 120));
        assertEquals(2 * (3600 + 120 + 600 + 300), Behavior.defaultMaxLagSecs(3600, 600, 300, 120));
        assertEquals(920, new Behavior(10, 30, 5, 300, 64, 120, "p").maxLagSecs());
        ObjectNode json = example();
        json.withObjectProperty("behavior").put("max_lag_secs", 120);
        assertEquals(120, parse(json).behavior().maxLagSecs());
        json.withObjectProperty("behavior").put("max_lag_secs", 0);
        ConfigException e = assertThrows(ConfigException.class, () -> parse(json));
        assertTrue(e.getMessage().startsWith("behavior.max_lag_secs:"), e.getMessage());
    }

    @Test
    void walSegmentSizeBytesDoesNotOverflow() {
        assertEquals(64L * 1024 * 1024, new Behavior(1, 1, 1, 1, 64, 1, "p").walSegmentSizeBytes());
        assertEquals(16L * 1024 * 1024, new Behavior(1, 1, 1, 1, 16, 1, "p").walSegmentSizeBytes());
        assertEquals(4096L * 1024 * 1024, new Behavior(1, 1, 1, 1, 4096, 1, "p").walSegmentSizeBytes());
    }

    @Test
    void everyPowerOfTwoUpTo1024IsAWalSegmentSize() throws Exception {
        for (int mb = 1; mb <= 1024; mb *= 2) {
            ObjectNode json = example();
            json.withObjectProperty("behavior").put("wal_segment_size_mb", mb);
            assertEquals(mb, parse(json).behavior().walSegmentSizeMb());
        }
    }

    @Test
    void ipv6AndUnderscoreHostsAreAccepted() throws Exception {
        ObjectNode json = example();
        json.withObjectProperty("primary").put("host", "[::1]");
        instance(json, 0).put("host", "fe80::1");
        instance(json, 1).put("host", "whpg_segment-1.lab.example");

        DrSyncConfig config = parse(json);

        assertEquals("[::1]", config.primary().host());
        assertEquals("fe80::1", config.dr().instances().get(0).host());
        assertEquals("whpg_segment-1.lab.example", config.dr().instances().get(1).host());
    }

    @Test
    void instancesOnOneHostMayShareItWithDistinctPortsAndDataDirs() throws Exception {
        ObjectNode json = example();
        ArrayNode instances = json.withObjectProperty("dr").withArrayProperty("instances");
        instances.addObject().put("gp_segment_id", 1).put("host", "dr-segment-1").put("port", 6001)
                .put("data_dir", "/data/primary/seg/gpseg1").put("is_local", false);
        // Same port and data_dir as segment 0, but on another host: allowed.
        instances.addObject().put("gp_segment_id", 2).put("host", "dr-segment-2").put("port", 6000)
                .put("data_dir", "/data/primary/seg/gpseg0").put("is_local", false);

        assertEquals(List.of(-1, 0, 1, 2),
                parse(json).dr().instances().stream().map(Instance::gpSegmentId).toList());
    }

    @Test
    void listsInTheRecordsAreImmutableCopies() throws Exception {
        List<Instance> source = new ArrayList<>(parse(example()).dr().instances());
        Dr dr = new Dr(Path.of("/g"), "/g/bin", Path.of("/s"), Path.of("/r"), source, "/s");
        source.clear();

        assertEquals(2, dr.instances().size());
        assertThrows(UnsupportedOperationException.class, () -> dr.instances().clear());
        assertThrows(UnsupportedOperationException.class, () -> parse(example()).warnings().add("x"));
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = home.resolve("nope.json");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));

        assertEquals("config file not found: " + missing, e.getMessage());
    }

    @Test
    void aDirectoryIsNotAConfigFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(home));

        assertEquals("config file is not a regular file: " + home, e.getMessage());
    }

    @Test
    void parseNamesTheSourceInSyntaxErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("{\n  \"primary\": }", "inline"));

        assertEquals("inline: not valid JSON at line 2 column 14: Unexpected character ('}' (code 125)): "
                + "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                e.getMessage());
    }

    @Test
    void aByteOrderMarkAndAnyKeyOrderAreAccepted() throws Exception {
        ObjectNode json = JSON.createObjectNode();
        ObjectNode example = example();
        for (String key : List.of("behavior", "dr", "archive", "storage", "primary")) {
            json.set(key, example.get(key));
        }
        Path file = home.resolve("bom.json");
        Files.writeString(file, "\uFEFF" + JSON.writeValueAsString(json));

        assertEquals(ConfigLoader.load(EXAMPLE).dr(), ConfigLoader.load(file).dr());
    }

    private DrSyncConfig parse(ObjectNode json) throws Exception {
        return ConfigLoader.parse(JSON.writeValueAsString(json), "test.json", home, "gpadmin");
    }

    private static ObjectNode example() throws Exception {
        return (ObjectNode) JSON.readTree(EXAMPLE.toFile());
    }

    private static ObjectNode instance(ObjectNode json, int index) {
        return (ObjectNode) json.get("dr").get("instances").get(index);
    }
}
