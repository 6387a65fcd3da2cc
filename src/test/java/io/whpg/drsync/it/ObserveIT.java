package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.dr.ConsumeCycle;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Health and metrics of the two daemons on a real sandbox, as an operator's Prometheus and load balancer see
 * them over HTTP: a provoked failure turns readiness DOWN with the reason and the receipt, and counts under a
 * failure status; recovery turns it UP again; the lag grows while the consumer is stopped and, past
 * behavior.max_lag_secs, turns readiness DOWN; a consumer without the lock is not ready. Every Prometheus
 * text (the daemons' and {@code status --format prometheus}) goes through a real parser.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(PrometheusParser.Available.class)
class ObserveIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static Sandbox sandbox;
    private static DrSyncConfig cfg;
    private static Path config;
    private static ToolProcess publisher;
    private static ToolProcess consumer;
    private static int publisherPort;
    private static int consumerPort;

    @BeforeAll
    static void startDaemons() throws Exception {
        sandbox = SANDBOX.sandbox();
        config = ItSupport.edited(sandbox.configFile(), "observe", root -> {
            ObjectNode b = (ObjectNode) root.path("behavior");
            b.put("publisher_sleep_secs", 2);
            b.put("consumer_sleep_secs", 2);
            b.put("publisher_wait_archive_secs", 4);
            b.put("max_lag_secs", 3600);
        });
        cfg = ConfigLoader.load(config);
        publisherPort = ItSupport.freePort();
        consumerPort = ItSupport.freePort();
        publisher = ToolProcess.start("primary", "run", "--config", config.toString(), "--observe-port", String.valueOf(publisherPort));
        consumer = ToolProcess.start("dr", "run", "--config", config.toString(), "--observe-port", String.valueOf(consumerPort));
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        for (ToolProcess p : new ToolProcess[] {publisher, consumer}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    @Order(1)
    void bothDaemonsAreReadyAndServeTheDomainMetricsAndTheJvm() throws Exception {
        JsonNode dr = awaitReady(consumerPort, r -> r.up() && r.message().contains(ConsumeCycle.SUCCESS));
        assertTrue(dr.path("data").path("file").asText().endsWith(".receipt.json"), dr.toString());
        awaitReady(publisherPort, r -> r.up() && r.message().contains("ready"));

        List<PrometheusParser.Sample> drm = metrics(consumerPort);
        assertTrue(PrometheusParser.sum(drm, "whpg_dr_cycles_total", l -> "dr".equals(l.get("role"))
                && ConsumeCycle.SUCCESS.equals(l.get("status"))) >= 1, drm::toString);
        assertTrue(PrometheusParser.sum(drm, "whpg_dr_cycle_seconds_count", l -> "dr".equals(l.get("role"))) >= 1);
        double lag = PrometheusParser.value(drm, "whpg_dr_lag_seconds");
        assertTrue(lag >= 0 && lag < 3600, "lag " + lag);
        assertTrue(PrometheusParser.value(drm, "whpg_dr_last_success_timestamp_seconds") > 1.7e9);
        assertEquals(3, drm.stream().filter(s -> s.name().equals("whpg_dr_instance_replay_seconds")).count(), drm::toString);
        assertEquals(0.0, PrometheusParser.value(drm, "whpg_dr_wal_missing_total"));
        assertTrue(drm.stream().anyMatch(s -> s.name().equals("jvm_memory_used_bytes")), "JVM binders");

        List<PrometheusParser.Sample> pm = metrics(publisherPort);
        assertTrue(PrometheusParser.sum(pm, "whpg_dr_cycles_total", l -> "ready".equals(l.get("status"))) >= 1);
        double toReady = PrometheusParser.value(pm, "whpg_dr_publish_to_ready_seconds");
        assertTrue(toReady >= 0 && toReady < 60, "publish to READY " + toReady);
    }

    @Test
    @Order(2)
    void aFailingConsumerIsNotReadyNamesTheReasonAndTheReceiptAndCountsFailedUntilItRecovers() throws Exception {
        // no new point while standby.signal is away: the consumer starts no instance, its cycles fail at the probe
        publisherTimer("stop()");
        awaitReady(consumerPort, r -> r.up() && "nothing_new".equals(r.lastStatus()));
        double failedBefore = failedDrCycles(metrics(consumerPort));
        Path signal = sandbox.drCopy(1).dataDir().resolve("standby.signal");
        Path aside = signal.resolveSibling("standby.signal.aside");
        Files.move(signal, aside);
        try {
            JsonNode down = awaitReady(consumerPort, r -> !r.up() && r.message().contains("instance_not_parked"));
            assertTrue(down.path("message").asText().contains("standby.signal"), down.toString());
            assertTrue(down.path("data").path("file").asText().endsWith("instance_not_parked.receipt.json"), down.toString());
            assertEquals(503, get(consumerPort, "/observe/health/ready").statusCode());
            assertEquals(200, get(consumerPort, "/observe/health/live").statusCode(), "a failing cycle is not a wedged process");
            List<PrometheusParser.Sample> m = metrics(consumerPort);
            double failed = failedDrCycles(m);
            assertTrue(failed > failedBefore, m::toString);
            assertTrue(PrometheusParser.sum(m, "whpg_dr_cycle_seconds_count", l -> "instance_not_parked".equals(l.get("status"))) >= 1);
            double successAt = PrometheusParser.value(m, "whpg_dr_last_success_timestamp_seconds");
            List<PrometheusParser.Sample> later = m;
            for (long end = System.nanoTime() + WAIT.toNanos(); failedDrCycles(later) <= failed && System.nanoTime() < end; ) {
                Thread.sleep(300);
                later = metrics(consumerPort);
            }
            assertTrue(failedDrCycles(later) > failed, "failed cycles keep counting");
            assertEquals(successAt, PrometheusParser.value(later, "whpg_dr_last_success_timestamp_seconds"),
                    "a failed cycle is no success");
        } finally {
            Files.move(aside, signal);
        }
        awaitReady(consumerPort, r -> r.up() && "nothing_new".equals(r.lastStatus()));
        assertEquals(200, get(consumerPort, "/observe/health/ready").statusCode());
        publisherTimer("start()");
        awaitReady(consumerPort, r -> r.up() && r.message().contains(ConsumeCycle.SUCCESS));
    }

    /** The operator's way to pause the publisher: its timer route over Jolokia, as the access policy allows. */
    private static void publisherTimer(String operation) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + publisherPort + "/observe/jolokia/"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=whpg-dr-sync-primary,"
                        + "type=routes,name=\\\"primary-publish-timer\\\"\",\"operation\":\"" + operation + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, Json.MAPPER.readTree(r.body()).path("status").asInt(), r.body());
    }

    @Test
    @Order(3)
    void aPublisherThatCannotProveItsWalArchivedIsNotReadyUntilTheArchiveIsBack() throws Exception {
        Path dir = cfg.archive().dirFor(0);
        Path hidden = dir.resolveSibling(dir.getFileName() + ".hidden");
        Files.move(dir, hidden);
        try {
            JsonNode down = awaitReady(publisherPort, r -> !r.up() && r.message().startsWith("last cycle failed: "));
            String status = down.path("data").path("last_status").asText();
            assertTrue(!status.isEmpty() && !"ready".equals(status), down.toString());
            List<PrometheusParser.Sample> m = metrics(publisherPort);
            assertTrue(PrometheusParser.sum(m, "whpg_dr_cycles_total", l -> status.equals(l.get("status"))) >= 1, m::toString);
            assertTrue(Double.isNaN(PrometheusParser.value(m, "whpg_dr_publish_to_ready_seconds")), m::toString);
        } finally {
            Files.move(hidden, dir);
        }
        awaitReady(publisherPort, r -> r.up() && r.message().contains("ready"));
    }

    @Test
    @Order(4)
    void theLagGrowsWhileTheConsumerIsStoppedAndTheTextfileOutputParses() throws Exception {
        consumer.terminate(Duration.ofSeconds(120));
        List<PrometheusParser.Sample> first = textfile("dr");
        Thread.sleep(4000);
        List<PrometheusParser.Sample> second = textfile("dr");
        double lag1 = PrometheusParser.value(first, "whpg_dr_lag_seconds");
        double lag2 = PrometheusParser.value(second, "whpg_dr_lag_seconds");
        assertTrue(lag2 >= lag1 + 3, lag1 + " then " + lag2);
        assertTrue(PrometheusParser.value(second, "whpg_dr_points_behind") >= 1, second::toString);
        assertTrue(failedDrCycles(second) >= 1, "the failed cycle's receipt counts as failed");
        List<PrometheusParser.Sample> primary = textfile("primary");
        assertTrue(PrometheusParser.sum(primary, "whpg_dr_cycles_total", l -> "ready".equals(l.get("status"))) >= 2);
        assertTrue(PrometheusParser.sum(primary, "whpg_dr_cycles_total", l -> "not_ready".equals(l.get("status"))) >= 1);
    }

    @Test
    @Order(5)
    void pastMaxLagTheConsumerIsNotReadyAndASecondConsumerWithoutTheLockIsNeither() throws Exception {
        publisher.terminate(Duration.ofSeconds(120));
        Path strict = ItSupport.withBehavior(config, "max_lag_secs", 6);
        consumer = ToolProcess.start("dr", "run", "--config", strict.toString(), "--observe-port", String.valueOf(consumerPort));
        // the consumer catches up with the newest point, which is itself older than 6 s by now: up to date, yet lagging
        JsonNode lagging = awaitReady(consumerPort, r -> !r.up() && r.message().contains("DR lag")
                && List.of(ConsumeCycle.SUCCESS, "nothing_new").contains(r.lastStatus()));
        assertTrue(lagging.path("message").asText().contains("behavior.max_lag_secs 6"), lagging.toString());
        assertTrue(lagging.path("data").path("lag_secs").asLong() >= 6, lagging.toString());
        assertEquals(0, lagging.path("data").path("points_behind").asInt(-1), lagging.toString());
        assertEquals(200, get(consumerPort, "/observe/health/live").statusCode());
        int standbyPort = ItSupport.freePort();
        try (ToolProcess standby = ToolProcess.start("dr", "run", "--config", strict.toString(),
                "--observe-port", String.valueOf(standbyPort))) {
            JsonNode noLock = awaitReady(standbyPort, r -> !r.up() && r.message().contains("does not hold the consumer lock"));
            assertFalse(noLock.path("data").has("last_status"), "the standby has run no cycle: " + noLock);
        }
        int exit = consumer.terminate(Duration.ofSeconds(120));
        assertTrue(exit == 0 || exit == 143, "SIGTERM ends the daemon cleanly (the JVM exits 128+15): " + exit);
    }

    private static double failedDrCycles(List<PrometheusParser.Sample> m) {
        return PrometheusParser.sum(m, "whpg_dr_cycles_total", l -> "dr".equals(l.get("role"))
                && !ConsumeCycle.SUCCESS.equals(l.get("status")) && !"nothing_new".equals(l.get("status")));
    }

    private static List<PrometheusParser.Sample> textfile(String role) throws IOException {
        ToolProcess p = ToolProcess.run(Duration.ofSeconds(60), role, "status", "--format", "prometheus", "--config", config.toString());
        assertEquals(0, p.exitCode(), p.output());
        return PrometheusParser.parse(p.stdout() + "\n");
    }

    private static List<PrometheusParser.Sample> metrics(int port) throws Exception {
        HttpResponse<String> r = get(port, "/observe/metrics");
        assertEquals(200, r.statusCode(), r.body());
        return PrometheusParser.parse(r.body());
    }

    private record Readiness(boolean up, String message, String lastStatus) {
    }

    /** Polls /observe/health/ready?data=true until our readiness check matches; returns that check. */
    private static JsonNode awaitReady(int port, Predicate<Readiness> until) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = get(port, "/observe/health/ready?data=true");
                last = r.body();
                for (JsonNode check : Json.MAPPER.readTree(r.body()).path("checks")) {
                    if (check.path("name").asText().equals("whpg-dr-ready")) {
                        Readiness seen = new Readiness("UP".equals(check.path("status").asText()), check.path("message").asText(),
                                check.path("data").path("last_status").asText(""));
                        if (until.test(seen)) {
                            assertEquals(seen.up() ? 200 : 503, r.statusCode(), r.body());
                            return check;
                        }
                    }
                }
            } catch (IOException e) {
                last = e.toString(); // not listening yet
            }
            Thread.sleep(300);
        }
        throw new AssertionError("readiness on port " + port + " never matched; last: " + last);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
