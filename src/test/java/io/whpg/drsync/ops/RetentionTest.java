package io.whpg.drsync.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Keep;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestSamples;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.ReceiptStore;
import io.whpg.drsync.state.RestorePointName;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * storage.keep over 200 publish cycles on real files: a publisher writes a manifest every 10 s (every 7th NOT
 * READY), a consumer advances every third cycle (now and then failing, now and then caught in transit), and
 * prunes after each. The store stays bounded, and no file a DR site could still need is ever removed.
 */
class RetentionTest {
    private static final Instant T0 = Instant.parse("2026-02-01T00:00:00Z");
    private static final int KEEP = 5;

    @TempDir
    Path dir;

    @Test
    void theStoreStaysBoundedOver200CyclesAndNoProtectedFileGoes() throws Exception {
        DrSyncConfig cfg = config();
        ManifestStore manifests = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
        StateStore state = new StateStore(cfg.dr().stateDir());
        ReceiptStore receipts = new ReceiptStore(cfg.dr().receiptsDir());
        List<String> published = new ArrayList<>();
        String current = null;
        String newestReady = null;
        int removed = 0;
        for (int i = 0; i < 200; i++) {
            Instant now = T0.plusSeconds(10L * i);
            String name = RestorePointName.forInstant("sync_point_", now);
            boolean ready = i % 7 != 3;
            Manifest m = ManifestSamples.manifest(name, ready, ManifestSamples.point(-1, "0/3016120", 1));
            manifests.write(m);
            manifests.writeLatest(m);
            Files.setLastModifiedTime(manifests.pathOf(name), FileTime.from(now));
            published.add(name);
            if (ready) {
                newestReady = name;
            }
            String transitTo = null;
            if (i % 3 == 0 && newestReady != null) {
                if (i % 30 == 0) {
                    writeReceipt(receipts, newestReady, "wal_missing", false, now);
                } else if (i % 33 == 0) {
                    state.depart(Optional.ofNullable(current), newestReady, now); // a cycle caught on its way
                    transitTo = newestReady;
                } else {
                    state.advance(newestReady);
                    current = newestReady;
                    writeReceipt(receipts, current, "reached_then_shutdown", true, now);
                }
            }
            removed += new Retention(cfg, Clock.fixed(now, ZoneOffset.UTC)).prune().size();

            if (current != null) {
                assertTrue(Files.exists(manifests.pathOf(current)), "current point's manifest, cycle " + i);
                assertTrue(Files.exists(cfg.dr().receiptsDir().resolve(current + ".receipt.json")), "its receipt, cycle " + i);
                for (String p : published.subList(published.indexOf(current), published.size())) {
                    assertTrue(Files.exists(manifests.pathOf(p)), p + " is newer than the current point, cycle " + i);
                }
            }
            if (newestReady != null) {
                assertTrue(Files.exists(manifests.pathOf(newestReady)), "newest READY, cycle " + i);
            }
            if (transitTo != null) {
                assertTrue(Files.exists(manifests.pathOf(transitTo)), "in-transit target, cycle " + i);
                state.advance(transitTo); // the rerun finishes it
                current = transitTo;
                writeReceipt(receipts, current, "reached_then_shutdown", true, now.plusMillis(1));
            }
            assertTrue(Files.exists(manifests.pathOf(name)), "LATEST.json's manifest, cycle " + i);
            assertTrue(count(cfg.storage().manifestDir()) <= KEEP + 4, "manifests bounded at cycle " + i);
            assertTrue(count(cfg.dr().receiptsDir()) <= KEEP + 2, "receipts bounded at cycle " + i);
        }
        assertTrue(removed > 200, "pruned " + removed);
    }

    @Test
    void anIdleConsumerPrunesAfterEachAdvanceElseEveryTenMinutes() throws Exception {
        DrSyncConfig cfg = config();
        ManifestStore manifests = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
        StateStore state = new StateStore(cfg.dr().stateDir());
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            names.add(RestorePointName.forInstant("sync_point_", T0.plusSeconds(10L * i)));
            manifests.write(ManifestSamples.manifest(names.get(i), true, ManifestSamples.point(-1, "0/3016120", 1)));
        }
        state.advance(names.get(29));
        Instant[] now = {T0.plusSeconds(3600)};
        Clock clock = new Clock() {
            public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId zone) { return this; }
            public Instant instant() { return now[0]; }
        };
        Retention retention = new Retention(cfg, clock);

        assertEquals(30 - KEEP, retention.afterCycle(false).size()); // the first cycle prunes
        for (int i = 1; i <= 10; i++) { // older than the current point: prunable
            manifests.write(ManifestSamples.manifest(RestorePointName.forInstant("sync_point_", T0.minusSeconds(10L * i)), false,
                    ManifestSamples.point(-1, "0/3016120", 1)));
        }
        now[0] = now[0].plus(Retention.IDLE_PRUNE_INTERVAL).minusSeconds(1);
        assertEquals(List.of(), retention.afterCycle(false)); // idle: not yet
        assertEquals(KEEP + 10, count(cfg.storage().manifestDir()));
        now[0] = now[0].plusSeconds(1);
        assertTrue(retention.afterCycle(false).size() > 0); // idle for the interval
        for (int i = 11; i <= 20; i++) {
            manifests.write(ManifestSamples.manifest(RestorePointName.forInstant("sync_point_", T0.minusSeconds(10L * i)), false,
                    ManifestSamples.point(-1, "0/3016120", 1)));
        }
        assertTrue(retention.afterCycle(true).size() > 0); // an advance prunes at once
    }

    @Test
    void neverParkedNothingIsPruned() throws Exception {
        DrSyncConfig cfg = config();
        ManifestStore manifests = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
        for (int i = 0; i < 20; i++) {
            manifests.write(ManifestSamples.manifest(RestorePointName.forInstant("sync_point_", T0.plusSeconds(10L * i)), true,
                    ManifestSamples.point(-1, "0/3016120", 1)));
        }
        assertEquals(List.of(), new Retention(cfg, Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC)).prune());
        assertEquals(20, count(cfg.storage().manifestDir()));
    }

    @Test
    void ageRemovesWithinTheCountButNeverTheNewest() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        Instant now = T0.plusSeconds(10 * 86_400);
        List<RetentionPlan.Stored> files = List.of(new RetentionPlan.Stored(a, T0), new RetentionPlan.Stored(b, T0),
                new RetentionPlan.Stored(c, now));
        assertEquals(List.of(b), RetentionPlan.toRemove(files, java.util.Set.of(c), new Keep(100, 7), now),
                "a is the newest: kept however old");
        assertEquals(List.of(), RetentionPlan.toRemove(files, java.util.Set.of(), new Keep(100, null), now));
        assertEquals(List.of(c), RetentionPlan.toRemove(files, java.util.Set.of(b), new Keep(2, null), now));
    }

    private DrSyncConfig config() throws Exception {
        return ConfigLoader.parse("""
                {"primary": {"host": "127.0.0.1", "port": 5432, "db": "postgres", "user": "gpadmin"},
                 "storage": {"manifest_dir": "%1$s/manifests", "latest_path": "%1$s/LATEST.json", "keep": {"count": %2$d}},
                 "archive": {"archive_dir": "%1$s/archive"},
                 "dr": {"gp_home": "/usr/lib/postgresql/15", "state_dir": "%1$s/state", "receipts_dir": "%1$s/receipts",
                        "instances": [{"gp_segment_id": -1, "host": "localhost", "port": 5432,
                                       "data_dir": "%1$s/data", "is_local": true}]},
                 "behavior": {"publisher_sleep_secs": 10, "consumer_sleep_secs": 30, "consumer_reach_poll_secs": 1,
                              "consumer_wait_reach_secs": 10, "wal_segment_size_mb": 16}}
                """.formatted(dir, KEEP), "test config");
    }

    private static void writeReceipt(ReceiptStore receipts, String target, String status, boolean advanced, Instant at)
            throws Exception {
        ObjectNode r = Json.object();
        r.put("target_restore_point", target);
        r.put("checked_at_utc", at.toString());
        r.put("status", status);
        r.put("advanced", advanced);
        Path p = receipts.write(r);
        Files.setLastModifiedTime(p, FileTime.from(at));
    }

    private static long count(Path d) throws Exception {
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }
}
