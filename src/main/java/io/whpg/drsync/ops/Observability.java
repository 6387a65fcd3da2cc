package io.whpg.drsync.ops;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.route.CycleOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRepository;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.main.Main;

/**
 * Health and metrics of one daemon, wired into Camel Main: the cycle route is watched ({@link CycleWatch}),
 * each cycle's end goes to {@link DrMetrics} in the registry Camel serves at /observe/metrics (bound as
 * {@code metricsRegistry}, with the JVM binders), and two health checks judge it with {@link Readiness}:
 * {@code whpg-dr-ready} (readiness) and {@code whpg-dr-live} (liveness), reason and receipt in the details.
 */
public final class Observability {
    public static final String READY_CHECK = "whpg-dr-ready";
    public static final String LIVE_CHECK = "whpg-dr-live";
    private static final Duration POSITION_CACHE = Duration.ofSeconds(2);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CycleWatch watch;
    private final DrMetrics metrics;

    /**
     * @param holdsLock whether this consumer holds the consumer lock; null for the primary
     * @param replay the DR replay's progress; null for the primary
     */
    public Observability(Main main, DrSyncConfig cfg, boolean dr, String cycleRouteId, BooleanSupplier holdsLock,
                         ReplayWatch replay) {
        Clock clock = Clock.systemUTC();
        String role = dr ? "dr" : "primary";
        metrics = new DrMetrics(registry, role);
        FileFigures.seed(metrics, cfg, dr);
        PositionCache position = dr ? new PositionCache(new DrPositionReader(cfg)::read, clock) : null;
        watch = new CycleWatch(cycleRouteId, clock, (outcome, took) -> {
            if (position != null) {
                position.invalidate();
            }
            cycleEnded(cfg, dr, outcome, took, clock);
        });
        if (dr) {
            metrics.position(position, clock);
            metrics.replayProgress(replay::latest);
        }
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        main.bind("metricsRegistry", registry);
        main.bind("whpgCycleWatch", watch);
        long maxLag = cfg.behavior().maxLagSecs();
        Duration bound = Readiness.cycleBound(cfg, dr);
        HealthCheck ready = check(READY_CHECK, true, () -> Readiness.ready(watch.last(),
                Optional.ofNullable(position).map(Supplier::get), maxLag,
                holdsLock == null ? Optional.empty() : Optional.of(holdsLock.getAsBoolean()), clock.instant()));
        HealthCheck live = check(LIVE_CHECK, false, () -> Readiness.live(watch.runningSince(), bound, clock.instant()));
        main.bind("whpgHealthChecks", new Repository(ready, live));
        main.configure().health().withEnabled(true).withExposureLevel("full");
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private void cycleEnded(DrSyncConfig cfg, boolean dr, CycleOutcome o, Duration took, Clock clock) {
        metrics.cycle(o.status(), o.ok(), took, clock.instant());
        if (dr) {
            FileFigures.replayOf(o.file()).ifPresent(metrics::replay);
        } else {
            metrics.publishToReady(o.ok() ? FileFigures.publishToReady(o.file(), clock.instant()) : Double.NaN);
        }
    }

    /** The position read at most every {@link #POSITION_CACHE}, and afresh once a cycle has ended. */
    private static final class PositionCache implements Supplier<DrPosition> {
        private final Supplier<DrPosition> read;
        private final Clock clock;
        private DrPosition last;
        private Instant at;

        PositionCache(Supplier<DrPosition> read, Clock clock) {
            this.read = read;
            this.clock = clock;
        }

        @Override
        public synchronized DrPosition get() {
            Instant now = clock.instant();
            if (last == null || Duration.between(at, now).compareTo(POSITION_CACHE) > 0) {
                last = read.get();
                at = now;
            }
            return last;
        }

        synchronized void invalidate() {
            last = null;
        }
    }

    private static HealthCheck check(String id, boolean readiness, Supplier<Readiness.Verdict> judge) {
        return new AbstractHealthCheck("whpg-dr-sync", id) {
            @Override
            public boolean isReadiness() {
                return readiness;
            }

            @Override
            public boolean isLiveness() {
                return !readiness;
            }

            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                Readiness.Verdict v = judge.get();
                // the management server writes the message into JSON as is
                builder.message(v.reason().replace('"', '\'').replace('\\', '/').replaceAll("[\\r\\n\\t]", " "));
                v.details().forEach(builder::detail);
                if (v.up()) {
                    builder.up();
                } else {
                    builder.down();
                }
            }
        };
    }

    private static final class Repository implements HealthCheckRepository {
        private final HealthCheck[] checks;
        private boolean enabled = true;

        Repository(HealthCheck... checks) {
            this.checks = checks;
        }

        @Override
        public String getId() {
            return "whpg-dr-sync";
        }

        @Override
        public boolean isEnabled() {
            return enabled;
        }

        @Override
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        @Override
        public Stream<HealthCheck> stream() {
            return enabled ? Stream.of(checks) : Stream.empty();
        }
    }
}
