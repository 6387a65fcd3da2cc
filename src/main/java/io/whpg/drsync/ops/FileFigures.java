package io.whpg.drsync.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestException;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.ReceiptStore;
import io.whpg.drsync.state.RegularFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The figures of {@link DrMetrics} as the files tell them: receipts (one per DR cycle that did something),
 * manifests (one per publish cycle), the state. {@code status --format prometheus} prints them for
 * node_exporter's textfile collector; a daemon seeds its last success from them at start.
 */
public final class FileFigures {
    private FileFigures() {
    }

    /** Prometheus text for the textfile collector, with the daemon's metric names. */
    public static String prometheusText(DrSyncConfig cfg, boolean dr, Clock clock) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DrMetrics metrics = new DrMetrics(registry, dr ? "dr" : "primary");
        if (dr) {
            List<ObjectNode> receipts = new ReceiptStore(cfg.dr().receiptsDir()).recent(Integer.MAX_VALUE);
            Map<String, Long> byStatus = new TreeMap<>();
            for (ObjectNode r : receipts) {
                String status = r.path("status").asText("unreadable");
                byStatus.merge(status, 1L, Long::sum);
                metrics.cycleTimer(status).record(Duration.ofMillis(r.path("duration_ms").asLong(0)));
                if (DrMetrics.WAL_MISSING.contains(status)) {
                    metrics.walMissing(1);
                }
            }
            byStatus.forEach(metrics::cycles);
            receipts.stream().map(FileFigures::replayOf).flatMap(Optional::stream).findFirst().ifPresent(metrics::replay);
            DrPosition position = new DrPositionReader(cfg).read();
            metrics.position(() -> position, clock);
        } else {
            ManifestStore store = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
            long ready = 0;
            long notReady = 0;
            Optional<Double> toReady = Optional.empty();
            for (Path p : store.listNewestFirst()) {
                try {
                    Manifest m = ManifestStore.readFile(p);
                    if (m.ready()) {
                        ready++;
                        if (toReady.isEmpty()) {
                            toReady = Optional.of(publishToReady(p, Files.getLastModifiedTime(p).toInstant()));
                        }
                    } else {
                        notReady++;
                    }
                } catch (ManifestException e) {
                    metrics.cycles("manifest_invalid", 1);
                }
            }
            metrics.cycles("ready", ready);
            metrics.cycles("not_ready", notReady);
            toReady.ifPresent(metrics::publishToReady);
        }
        seed(metrics, cfg, dr);
        return registry.scrape();
    }

    /** The last success the files show: the newest advancing receipt (DR), the newest READY manifest (primary). */
    public static void seed(DrMetrics metrics, DrSyncConfig cfg, boolean dr) {
        try {
            if (dr) {
                new ReceiptStore(cfg.dr().receiptsDir()).recent(Integer.MAX_VALUE).stream()
                        .filter(r -> r.path("advanced").asBoolean(false)).findFirst()
                        .flatMap(r -> instant(r.path("checked_at_utc").asText())).ifPresent(metrics::lastSuccess);
            } else {
                ManifestStore store = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
                for (Path p : store.listNewestFirst()) {
                    try {
                        if (ManifestStore.readFile(p).ready()) {
                            metrics.lastSuccess(Files.getLastModifiedTime(p).toInstant());
                            return;
                        }
                    } catch (ManifestException e) {
                        // an unreadable manifest is no success; look further back
                    }
                }
            }
        } catch (IOException e) {
            // no figure from files: the gauge stays NaN until a cycle succeeds
        }
    }

    /** Each instance's replay seconds from a receipt ({@code instances[].wait_ms}), when the cycle started any. */
    public static Optional<Map<Integer, Double>> replayOf(Path receipt) {
        if (receipt == null) {
            return Optional.empty();
        }
        try {
            JsonNode n = Json.MAPPER.readTree(RegularFiles.read(receipt, ReceiptStore.MAX_BYTES));
            return n instanceof ObjectNode o ? replayOf(o) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<Map<Integer, Double>> replayOf(ObjectNode receipt) {
        Map<Integer, Double> secs = new TreeMap<>();
        for (JsonNode i : receipt.path("instances")) {
            if (i.path("started").asBoolean(false) && i.has("wait_ms") && i.has("gp_segment_id")) {
                secs.put(i.path("gp_segment_id").asInt(), i.path("wait_ms").asLong() / 1000.0);
            }
        }
        return secs.isEmpty() ? Optional.empty() : Optional.of(secs);
    }

    /** Seconds from the restore point's creation (the manifest's created_at_utc) to {@code readyAt}. */
    public static double publishToReady(Path manifest, Instant readyAt) {
        try {
            return Duration.between(ManifestStore.readFile(manifest).createdAtUtc(), readyAt).toMillis() / 1000.0;
        } catch (ManifestException e) {
            return Double.NaN;
        }
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
