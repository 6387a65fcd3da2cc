package io.whpg.drsync.route;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.app.ShellOpener;
import io.whpg.drsync.archive.LocalDirectoryArchive;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's timer must not start a cycle while the last one still runs: the host steps hand the
 * exchange to other threads, and an asynchronous timer would then fire the next cycle on top of it
 * (seen in bench/ before the timers were made synchronous: two cycles committing the same restore point,
 * one probing instances the other had started).
 */
class ConsumeRouteTimerTest {
    @TempDir
    Path dir;

    @Test
    void aSlowCycleDelaysTheNextInsteadOfOverlappingIt() throws Exception {
        Path marks = Files.createDirectories(dir.resolve("marks"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // A real script stands in for pg_controldata: each probe takes 0.3 s and notes any probe running beside it.
        Path controlData = bin.resolve("pg_controldata");
        Files.writeString(controlData, "#!/bin/sh\n"
                + "mkdir '" + marks + "/busy' 2>/dev/null || touch '" + marks + "/overlap'\n"
                + "sleep 0.3\n"
                + "rmdir '" + marks + "/busy' 2>/dev/null\n"
                + "echo 'pg_control version number: 1300'\n");
        Files.setPosixFilePermissions(controlData, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = Files.createDirectories(dir.resolve("gpseg-1"));
        DrSyncConfig config = ConfigLoader.parse("""
                {"primary": {"host": "127.0.0.1", "port": 9, "db": "postgres", "user": "whpg"},
                 "storage": {"manifest_dir": "%1$s/manifests", "latest_path": "%1$s/LATEST.json"},
                 "archive": {"archive_dir": "%1$s/archive"},
                 "dr": {"gp_home": "%1$s", "pg_bin": "%2$s", "state_dir": "%1$s/state", "receipts_dir": "%1$s/receipts",
                        "instances": [{"gp_segment_id": -1, "host": "127.0.0.1", "port": 9, "data_dir": "%3$s",
                                       "is_local": true}]},
                 "behavior": {"publisher_sleep_secs": 1, "consumer_sleep_secs": 1, "consumer_reach_poll_secs": 1,
                              "consumer_wait_reach_secs": 1, "wal_segment_size_mb": 16}}
                """.formatted(dir, bin, data), "test");

        ExecutorService hostPool = Executors.newFixedThreadPool(4);
        try (ShellOpener shells = new ShellOpener(config); DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind(HostFanOut.POOL, hostPool);
            FileLockClusterService lock = ConsumerLock.fileLock(dir.resolve("lock").toString());
            camel.addService(lock);
            camel.addRoutes(new HostFanOut());
            camel.addRoutes(new ConsumeRoute(new ConsumeSteps(config, shells,
                    new LocalDirectoryArchive(config.archive()::dirFor), Clock.systemUTC()), 100, Optional.of(lock)));
            camel.start();
            Thread.sleep(2500); // the consumer lock is taken first, then the timer ticks every 0.1 s
            camel.stop();
        } finally {
            hostPool.shutdownNow();
        }

        long cycles;
        try (Stream<Path> receipts = Files.list(dir.resolve("receipts"))) {
            cycles = receipts.count();
        }
        assertTrue(cycles >= 2, "the timer should have run several cycles, ran " + cycles);
        assertFalse(Files.exists(marks.resolve("overlap")), "two cycles probed at the same time");
    }
}
