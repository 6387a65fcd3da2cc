package io.whpg.drsync.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.config.Keep;
import io.whpg.drsync.config.Signing;
import io.whpg.drsync.config.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests and LATEST.json through a real S3 store (S3Proxy): what the DR side fetches, and what retention removes. */
class ManifestSyncTest {
    @TempDir
    static Path dir;
    static S3Fixture s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3Fixture(dir, "dr-wal");
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    static Storage storage(Path local) {
        return new Storage(local.resolve("manifests"), local.resolve("LATEST.json"), new Keep(Keep.DEFAULT_COUNT, null),
                Signing.none(), Path.of("/dr_sync/manifests"));
    }

    static void put(String key, String text) {
        s3.store.put(key, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fetchesNewManifestsAndLatestOnlyOnce() throws Exception {
        Storage s = storage(Files.createDirectories(dir.resolve("dr1")));
        put("/dr_sync/manifests/sync_point_20261205_120000.json", "{\"a\":1}");
        put("/dr_sync/manifests/sync_point_20261205_120100.json", "{\"b\":2}");
        put("/dr_sync/manifests/LATEST.json", "{\"restore_point\":\"sync_point_20261205_120100\"}");
        put("/dr_sync/manifests/.sync_point_x.reserved", "1");
        put("/dr_sync/manifests/bad name.json", "{}");
        ManifestSync sync = new ManifestSync(s3.store, s);
        assertEquals(3, sync.pull());
        assertEquals("{\"b\":2}", Files.readString(s.manifestDir().resolve("sync_point_20261205_120100.json")));
        assertEquals("{\"restore_point\":\"sync_point_20261205_120100\"}", Files.readString(s.latestPath()));
        assertFalse(Files.exists(s.manifestDir().resolve("bad name.json")), "not a manifest name: not fetched");
        assertFalse(Files.exists(s.manifestDir().resolve("LATEST.json")), "LATEST.json goes to latest_path only");
        assertEquals(0, sync.pull(), "nothing new, nothing written");
        put("/dr_sync/manifests/LATEST.json", "{\"restore_point\":\"sync_point_20261205_120200\"}");
        assertEquals(1, sync.pull());

        sync.removed(s.manifestDir().resolve("sync_point_20261205_120000.json"));
        assertEquals(Optional.empty(), s3.store.stat("/dr_sync/manifests/sync_point_20261205_120000.json"));
        assertTrue(s3.store.stat("/dr_sync/manifests/LATEST.json").isPresent());
    }

    @Test
    void aStoreFailureIsOneLineNamingTheObject() {
        Storage s = storage(dir.resolve("dr2"));
        S3Store noBucket = new S3Store(s3.server.settings("no-such-bucket"), s3.client, () -> s3.template, 1000);
        assertEquals("s3://no-such-bucket/dr_sync/manifests: 404 NoSuchBucket",
                assertThrows(BackendException.class, () -> new ManifestSync(noBucket, s).pull()).getMessage());
    }
}
