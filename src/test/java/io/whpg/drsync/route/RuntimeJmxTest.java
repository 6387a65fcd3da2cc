package io.whpg.drsync.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.app.DrSyncRuntime;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DR runtime as hawtio sees it: every step is a named JMX processor, and the cycle-stats processor
 * reports the last outcome. A DR instance whose data directory is missing makes a real, failed cycle.
 */
class RuntimeJmxTest {

    @Test
    void stepsAndCycleOutcomeAreVisibleOverJmx(@TempDir Path dir) throws Exception {
        String json = """
                {"primary": {"host": "127.0.0.1", "port": 5432, "db": "postgres", "user": "gpadmin"},
                 "storage": {"manifest_dir": "%1$s/manifests", "latest_path": "%1$s/LATEST.json"},
                 "archive": {"archive_dir": "%1$s/archive"},
                 "dr": {"gp_home": "/usr/lib/postgresql/15", "state_dir": "%1$s/state", "receipts_dir": "%1$s/receipts",
                        "instances": [{"gp_segment_id": -1, "host": "localhost", "port": 5432,
                                       "data_dir": "%1$s/no-such-data-dir", "is_local": true}]},
                 "behavior": {"publisher_sleep_secs": 10, "consumer_sleep_secs": 30, "consumer_reach_poll_secs": 1,
                              "consumer_wait_reach_secs": 10, "wal_segment_size_mb": 16}}
                """.formatted(dir);
        DrSyncConfig cfg = ConfigLoader.parse(json, "test config");
        try (DrSyncRuntime rt = new DrSyncRuntime(cfg, DrSyncRuntime.Role.DR, false, null)) {
            CycleOutcome outcome = rt.runOnce(Map.of());
            assertFalse(outcome.ok());
            assertEquals("instance_not_parked", outcome.status());
            assertTrue(outcome.detail().contains("data directory does not exist"), outcome.detail());
            assertTrue(Files.exists(outcome.file()), "a failed cycle still leaves its receipt");

            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            for (String step : new String[] {"probe-instances", "select-target", "wal-preflight", "write-recovery-targets",
                    "start-instances", "await-instances", "verify-parked", "commit-state"}) {
                Set<ObjectName> found = jmx.queryNames(new ObjectName("org.apache.camel:type=processors,name=\"" + step + "\",*"), null);
                assertEquals(1, found.size(), step);
            }
            ObjectName stats = jmx.queryNames(new ObjectName("org.apache.camel:type=processors,name=\"cycle-stats\",*"), null)
                    .iterator().next();
            assertEquals(1L, jmx.getAttribute(stats, "Failed"));
            assertEquals(0L, jmx.getAttribute(stats, "Succeeded"));
            assertEquals("instance_not_parked", jmx.getAttribute(stats, "LastStatus"));
        }
    }
}
