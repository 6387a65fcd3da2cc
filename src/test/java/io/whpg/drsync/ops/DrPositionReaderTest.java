package io.whpg.drsync.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestSamples;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lag on real files: from the current point's creation, or from the publisher's idle heartbeat naming it. */
class DrPositionReaderTest {
    @TempDir
    Path dir;

    private DrSyncConfig config() throws Exception {
        return ConfigLoader.parse("""
                {"primary": {"host": "127.0.0.1", "port": 5432, "db": "postgres", "user": "gpadmin"},
                 "storage": {"manifest_dir": "%1$s/manifests", "latest_path": "%1$s/LATEST.json"},
                 "archive": {"archive_dir": "%1$s/archive"},
                 "dr": {"gp_home": "/usr/lib/postgresql/15", "state_dir": "%1$s/state", "receipts_dir": "%1$s/receipts",
                        "instances": [{"gp_segment_id": -1, "host": "localhost", "port": 5432,
                                       "data_dir": "%1$s/data", "is_local": true}]},
                 "behavior": {"publisher_sleep_secs": 10, "consumer_sleep_secs": 30, "consumer_reach_poll_secs": 1,
                              "consumer_wait_reach_secs": 10, "wal_segment_size_mb": 16}}
                """.formatted(dir), "test config");
    }

    @Test
    void anIdleHeartbeatForTheCurrentPointCountsTheLagFromItsCheckAndOnlyForThatPoint() throws Exception {
        DrSyncConfig cfg = config();
        ManifestStore store = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
        Manifest p = ManifestSamples.twoInstances();
        store.write(p);
        store.writeLatest(p);
        new StateStore(cfg.dr().stateDir()).advance(p.restorePoint());
        Instant created = p.createdAtUtc();
        Instant now = created.plusSeconds(3600);
        assertEquals(3600.0, new DrPositionReader(cfg).read().lagSeconds(now), 0.001);

        store.writeHeartbeat(p, now.minusSeconds(20));
        DrPosition heard = new DrPositionReader(cfg).read();
        assertEquals(20.0, heard.lagSeconds(now), 0.001);
        assertEquals(0, heard.pointsBehind());

        Manifest q = ManifestSamples.manifest("sync_point_20260201_190000", true, ManifestSamples.point(-1, "0/4000000", 1),
                ManifestSamples.point(0, "0/5000000", 1));
        store.write(q);
        store.writeHeartbeat(q, now.minusSeconds(5));
        DrPosition behind = new DrPositionReader(cfg).read();
        assertEquals(3600.0, behind.lagSeconds(now), 0.001, "a heartbeat for a newer point says nothing of ours");
    }
}
