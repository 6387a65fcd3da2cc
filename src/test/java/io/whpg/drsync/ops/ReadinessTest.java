package io.whpg.drsync.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.route.CycleOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    private static final Instant NOW = Instant.parse("2026-02-01T12:00:00Z");
    private static final Path RECEIPT = Path.of("/r/sync_point_20260201_115900.20260201T120000Z.wal_missing.receipt.json");

    private static Optional<CycleWatch.Ended> ended(String status, boolean ok) {
        return Optional.of(new CycleWatch.Ended(new CycleOutcome(status, "detail of " + status, ok, RECEIPT),
                NOW.minusSeconds(5), Duration.ofSeconds(3)));
    }

    private static Optional<DrPosition> parkedSecondsAgo(long secs, int newerReady) {
        List<DrPosition.Published> published = new java.util.ArrayList<>();
        published.add(new DrPosition.Published("p0", NOW.minusSeconds(secs), true));
        for (int i = 1; i <= newerReady; i++) {
            published.add(new DrPosition.Published("p" + i, NOW.minusSeconds(secs - i), true));
        }
        published.add(new DrPosition.Published("newer-not-ready", NOW, false));
        return Optional.of(DrPosition.of(Optional.of("p0"), published, Optional.empty()));
    }

    @Test
    void aFailedLastCycleIsNotReadyAndNamesStatusDetailAndReceipt() {
        Readiness.Verdict v = Readiness.ready(ended("wal_missing", false), parkedSecondsAgo(10, 0), 900,
                Optional.of(true), NOW);
        assertFalse(v.up());
        assertTrue(v.reason().startsWith("last cycle failed: wal_missing: detail of wal_missing"), v.reason());
        assertTrue(v.reason().contains(RECEIPT.toString()));
        assertEquals(RECEIPT.toString(), v.details().get("file"));
    }

    @Test
    void lagOverTheBoundIsNotReadyEvenAfterASuccess() {
        Readiness.Verdict v = Readiness.ready(ended("reached_then_shutdown", true), parkedSecondsAgo(1000, 2), 900,
                Optional.of(true), NOW);
        assertFalse(v.up());
        assertTrue(v.reason().contains("DR lag 1000 s is over behavior.max_lag_secs 900"), v.reason());
        assertEquals(2, v.details().get("points_behind"), "NOT READY manifests are not points behind");
        assertEquals(1000L, v.details().get("lag_secs"));
    }

    @Test
    void withinTheBoundAfterASuccessIsReady() {
        Readiness.Verdict v = Readiness.ready(ended("reached_then_shutdown", true), parkedSecondsAgo(100, 0), 900,
                Optional.of(true), NOW);
        assertTrue(v.up(), v.reason());
    }

    @Test
    void aConsumerWithoutTheLockIsNotReady() {
        Readiness.Verdict v = Readiness.ready(Optional.empty(), parkedSecondsAgo(1, 0), 900, Optional.of(false), NOW);
        assertFalse(v.up());
        assertTrue(v.reason().contains("does not hold the consumer lock"));
    }

    @Test
    void thePublisherIsJudgedByItsCyclesOnly() {
        assertTrue(Readiness.ready(ended("ready", true), Optional.empty(), 1, Optional.empty(), NOW).up());
        assertFalse(Readiness.ready(ended("not_ready", false), Optional.empty(), 1, Optional.empty(), NOW).up());
    }

    @Test
    void aConsumerThatRanButKnowsNoPointIsNotReady() {
        Optional<DrPosition> none = Optional.of(DrPosition.of(Optional.empty(), List.of(), Optional.empty()));
        Readiness.Verdict v = Readiness.ready(ended("nothing_new", true), none, 900, Optional.of(true), NOW);
        assertFalse(v.up());
        assertTrue(v.reason().contains("not parked at a verified restore point"), v.reason());
    }

    @Test
    void livenessFailsOnlyForACyclePastItsBound() {
        Duration bound = Duration.ofSeconds(600);
        assertTrue(Readiness.live(Optional.empty(), bound, NOW).up());
        assertTrue(Readiness.live(Optional.of(NOW.minusSeconds(599)), bound, NOW).up());
        Readiness.Verdict wedged = Readiness.live(Optional.of(NOW.minusSeconds(601)), bound, NOW);
        assertFalse(wedged.up());
        assertTrue(wedged.reason().contains("running 601 s, past its bound of 600 s"), wedged.reason());
    }
}
