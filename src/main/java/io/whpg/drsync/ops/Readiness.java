package io.whpg.drsync.ops;

import io.whpg.drsync.config.DrSyncConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a daemon is doing its job, and why not. Pure: from the last cycle, the DR position and the lock.
 * Ready: the last cycle ended well (its failure is the first reason given), the DR site is at most {@code behavior.max_lag_secs} behind, and (DR) this
 * consumer holds the lock. Live: no cycle has been running longer than its bound.
 */
public final class Readiness {
    /** The verdict: up or down, one line why, and details (the receipt or manifest the last cycle wrote). */
    public record Verdict(boolean up, String reason, Map<String, Object> details) {
    }

    private Readiness() {
    }

    /** How long a cycle may run before the process counts as wedged: every wait it has, plus 5 minutes. */
    public static Duration cycleBound(DrSyncConfig cfg, boolean dr) {
        long secs = dr
                ? cfg.behavior().consumerWaitReachSecs() + 4L * cfg.ssh().commandTimeoutSecs() + 300
                : cfg.behavior().publisherWaitArchiveSecs() + 8L * cfg.primary().connectTimeoutSecs() + 300;
        return Duration.ofSeconds(secs);
    }

    /**
     * @param position empty for the primary (its readiness is its own cycles)
     * @param holdsLock empty for the primary
     */
    public static Verdict ready(Optional<CycleWatch.Ended> last, Optional<DrPosition> position, long maxLagSecs,
                                Optional<Boolean> holdsLock, Instant now) {
        Map<String, Object> details = new LinkedHashMap<>();
        last.ifPresent(e -> {
            details.put("last_status", e.outcome().status());
            details.put("last_ended_at", e.at().toString());
            if (e.outcome().file() != null) {
                details.put("file", e.outcome().file().toString());
            }
        });
        if (last.isPresent() && !last.get().outcome().ok()) {
            CycleWatch.Ended e = last.get();
            return new Verdict(false, "last cycle failed: " + e.outcome().status() + ": " + e.outcome().detail()
                    + (e.outcome().file() != null ? " (" + e.outcome().file() + ")" : ""), details);
        }
        if (holdsLock.isPresent() && !holdsLock.get()) {
            return new Verdict(false, "this consumer does not hold the consumer lock (another consumer runs the cycles)", details);
        }
        if (position.isPresent()) {
            DrPosition p = position.get();
            p.point().ifPresent(pt -> details.put("restore_point", pt));
            details.put("points_behind", p.pointsBehind());
            double lag = p.lagSeconds(now);
            if (!Double.isNaN(lag)) {
                details.put("lag_secs", Math.round(lag));
            }
            if (p.problem().isPresent() && last.isPresent()) {
                return new Verdict(false, p.problem().get(), details);
            }
            if (lag > maxLagSecs) {
                return new Verdict(false, "DR lag " + Math.round(lag) + " s is over behavior.max_lag_secs " + maxLagSecs
                        + " (parked at " + p.point().orElse("?") + ")", details);
            }
        }
        return new Verdict(true, last.isEmpty() ? "no cycle has ended yet" : "last cycle " + last.get().outcome().status(), details);
    }

    public static Verdict live(Optional<Instant> runningSince, Duration bound, Instant now) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (runningSince.isPresent()) {
            Duration running = Duration.between(runningSince.get(), now);
            details.put("cycle_running_secs", running.toSeconds());
            if (running.compareTo(bound) > 0) {
                return new Verdict(false, "a cycle has been running " + running.toSeconds() + " s, past its bound of "
                        + bound.toSeconds() + " s (since " + runningSince.get() + ")", details);
            }
        }
        return new Verdict(true, runningSince.isPresent() ? "cycle running" : "idle between cycles", details);
    }
}
