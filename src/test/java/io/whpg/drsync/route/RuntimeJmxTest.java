package io.whpg.drsync.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.app.DrSyncRuntime;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DR runtime as hawtio sees it: every step is a named JMX processor, the cycle-stats processor
 * reports the last outcome, and the same is served over Jolokia. A DR instance whose data directory is
 * missing makes a real, failed cycle without any server.
 */
class RuntimeJmxTest {

    @Test
    void stepsAndCycleOutcomeAreVisibleOverJmxWhenObserved(@TempDir Path dir) throws Exception {
        DrSyncConfig cfg = ConfigLoader.parse(configWithMissingDataDir(dir), "test config");
        try (DrSyncRuntime rt = new DrSyncRuntime(cfg, DrSyncRuntime.Role.DR, false, null).observeOn("127.0.0.1", freePort())) {
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

    /** JMX is for watching a running process: a one-shot consume nobody observes registers no MBean (faster start). */
    @Test
    void aOneShotConsumeNotObservedRegistersNoMBeans(@TempDir Path dir) throws Exception {
        DrSyncConfig cfg = ConfigLoader.parse(configWithMissingDataDir(dir), "test config");
        try (DrSyncRuntime rt = new DrSyncRuntime(cfg, DrSyncRuntime.Role.DR, false, null)) {
            assertEquals("instance_not_parked", rt.runOnce(Map.of()).status());
            assertEquals(Set.of(), ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("org.apache.camel:context=whpg-dr-sync-dr,*"), null));
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** hawtio's way in: Jolokia over HTTP, next to health and Prometheus metrics. */
    @Test
    void healthMetricsAndJolokiaServeTheCycleOutcome(@TempDir Path dir) throws Exception {
        DrSyncConfig cfg = ConfigLoader.parse(configWithMissingDataDir(dir), "test config");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (DrSyncRuntime rt = new DrSyncRuntime(cfg, DrSyncRuntime.Role.DR, false, null).observeOn("127.0.0.1", port)) {
            assertFalse(rt.runOnce(Map.of()).ok());
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port + "/observe/";
            // the route catches the failure, yet readiness says so (it said UP before), with the receipt
            HttpResponse<String> health = get(http, base + "health");
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("last cycle failed: instance_not_parked: instance -1: data directory does not exist"),
                    health.body());
            assertTrue(health.body().contains("instance_not_parked.receipt.json"), health.body());
            assertEquals(200, get(http, base + "health/live").statusCode(), "a failed cycle is not a wedged process");
            HttpResponse<String> jolokia = get(http, base
                    + "jolokia/read/org.apache.camel:context=whpg-dr-sync-dr,type=processors,name=%22cycle-stats%22/LastStatus");
            assertEquals(200, jolokia.statusCode(), jolokia.body());
            assertTrue(jolokia.body().contains("\"value\":\"instance_not_parked\""), jolokia.body());
            HttpResponse<String> metrics = get(http, base + "metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("dr-consume"), metrics.body().lines().limit(20).toList().toString());
            assertTrue(metrics.body().contains("whpg_dr_cycles_total{role=\"dr\",status=\"instance_not_parked\"} 1.0"),
                    metrics.body());
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String configWithMissingDataDir(Path dir) {
        return """
                {"primary": {"host": "127.0.0.1", "port": 5432, "db": "postgres", "user": "gpadmin"},
                 "storage": {"manifest_dir": "%1$s/manifests", "latest_path": "%1$s/LATEST.json"},
                 "archive": {"archive_dir": "%1$s/archive"},
                 "dr": {"gp_home": "/usr/lib/postgresql/15", "state_dir": "%1$s/state", "receipts_dir": "%1$s/receipts",
                        "instances": [{"gp_segment_id": -1, "host": "localhost", "port": 5432,
                                       "data_dir": "%1$s/no-such-data-dir", "is_local": true}]},
                 "behavior": {"publisher_sleep_secs": 10, "consumer_sleep_secs": 30, "consumer_reach_poll_secs": 1,
                              "consumer_wait_reach_secs": 10, "wal_segment_size_mb": 16}}
                """.formatted(dir);
    }
}
