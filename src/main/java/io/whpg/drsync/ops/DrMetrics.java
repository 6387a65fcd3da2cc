package io.whpg.drsync.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The domain's metrics, one set per role, on any Micrometer registry: the daemon's (served at
 * /observe/metrics) and the one {@code status --format prometheus} fills from the files. Names in
 * Prometheus form: whpg_dr_cycles_total{role,status}, whpg_dr_cycle_seconds{role,status} (histogram),
 * whpg_dr_last_success_timestamp_seconds{role}, whpg_dr_lag_seconds, whpg_dr_points_behind,
 * whpg_dr_instance_replay_seconds{gp_segment_id}, whpg_dr_publish_to_ready_seconds, whpg_dr_wal_missing_total.
 */
public final class DrMetrics {
    /** DR cycle statuses that mean a WAL file the replay needs is not in the archive. */
    public static final Set<String> WAL_MISSING = Set.of("wal_missing", "timeout_waiting_for_wal");
    private static final Duration[] CYCLE_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
        Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1)};

    private final MeterRegistry registry;
    private final String role;
    private final Map<Integer, Double> replaySeconds = new ConcurrentHashMap<>();
    private volatile double lastSuccessEpochSeconds = Double.NaN;
    private volatile double publishToReadySeconds = Double.NaN;

    /** @param role {@code primary} or {@code dr} */
    public DrMetrics(MeterRegistry registry, String role) {
        this.registry = registry;
        this.role = role;
        Gauge.builder("whpg_dr_last_success_timestamp_seconds", this, m -> m.lastSuccessEpochSeconds)
                .description("When the last cycle that ended well ended (Unix time); NaN before the first")
                .tag("role", role).strongReference(true).register(registry);
        if ("primary".equals(role)) {
            Gauge.builder("whpg_dr_publish_to_ready_seconds", this, m -> m.publishToReadySeconds)
                    .description("Seconds from creating the last restore point to its manifest READY; NaN when it failed")
                    .strongReference(true).register(registry);
        } else {
            walMissing(0);
        }
    }

    /** One cycle ended: counted and timed under its status; a failure leaves the last success where it was. */
    public void cycle(String status, boolean ok, Duration took, Instant endedAt) {
        cycles(status, 1);
        cycleTimer(status).record(took);
        if (ok) {
            lastSuccess(endedAt);
        }
        if (WAL_MISSING.contains(status)) {
            walMissing(1);
        }
    }

    public void cycles(String status, long n) {
        Counter.builder("whpg_dr_cycles").description("Cycles ended, by role and status")
                .tag("role", role).tag("status", status).register(registry).increment(n);
    }

    public Timer cycleTimer(String status) {
        return Timer.builder("whpg_dr_cycle").description("How long cycles ran, by role and status")
                .tag("role", role).tag("status", status).serviceLevelObjectives(CYCLE_BUCKETS).register(registry);
    }

    public void walMissing(long n) {
        Counter.builder("whpg_dr_wal_missing").description("DR cycles stopped by a WAL file missing from the archive")
                .register(registry).increment(n);
    }

    public void lastSuccess(Instant at) {
        lastSuccessEpochSeconds = at.toEpochMilli() / 1000.0;
    }

    public void publishToReady(double seconds) {
        publishToReadySeconds = seconds;
    }

    /** The replay time of each instance in the last DR cycle that started instances. */
    public void replay(Map<Integer, Double> secondsBySegment) {
        secondsBySegment.forEach((seg, secs) -> {
            if (replaySeconds.put(seg, secs) == null) {
                Gauge.builder("whpg_dr_instance_replay_seconds", replaySeconds, m -> m.getOrDefault(seg, Double.NaN))
                        .description("Seconds the instance took from start to its stop at the target, last DR cycle")
                        .tag("gp_segment_id", String.valueOf(seg)).strongReference(true).register(registry);
            }
        });
    }

    /** The replay now running ({@link ReplayWatch}): instances stopped at the target, started, WAL left; NaN between replays. */
    public void replayProgress(Supplier<java.util.Optional<ReplayProgress>> progress) {
        Gauge.builder("whpg_dr_replay_instances_done", progress, p -> p.get().map(r -> (double) r.done()).orElse(Double.NaN))
                .description("Instances of the running DR cycle stopped at their target").strongReference(true).register(registry);
        Gauge.builder("whpg_dr_replay_instances_total", progress, p -> p.get().map(r -> (double) r.total()).orElse(Double.NaN))
                .description("Instances the running DR cycle started").strongReference(true).register(registry);
        Gauge.builder("whpg_dr_replay_bytes_left", progress, p -> p.get().map(r -> (double) r.bytesLeft()).orElse(Double.NaN))
                .description("WAL bytes the slowest replaying instance has left to its target").strongReference(true).register(registry);
    }

    /** Lag and points behind, computed from the files whenever they are read. */
    public void position(Supplier<DrPosition> position, Clock clock) {
        Gauge.builder("whpg_dr_lag_seconds", position, p -> p.get().lagSeconds(clock.instant()))
                .description("Age of the restore point the DR site is parked at (NaN: not parked at a known point)")
                .strongReference(true).register(registry);
        Gauge.builder("whpg_dr_points_behind", position, p -> p.get().pointsBehind())
                .description("READY restore points published after the one the DR site is parked at")
                .strongReference(true).register(registry);
    }
}
