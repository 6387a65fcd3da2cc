package io.whpg.drsync.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DrPositionTest {
    private static final Instant T = Instant.parse("2026-02-01T12:00:00Z");
    private static final List<DrPosition.Published> PUBLISHED = List.of(
            new DrPosition.Published("a", T, true),
            new DrPosition.Published("b", T.plusSeconds(10), true),
            new DrPosition.Published("c", T.plusSeconds(20), false),
            new DrPosition.Published("d", T.plusSeconds(30), true));

    @Test
    void lagIsTheAgeOfTheCurrentPointAndBehindCountsNewerReadyPoints() {
        DrPosition p = DrPosition.of(Optional.of("b"), PUBLISHED, Optional.empty());
        assertEquals(50.0, p.lagSeconds(T.plusSeconds(60)));
        assertEquals(1, p.pointsBehind());
        assertTrue(p.problem().isEmpty());
    }

    @Test
    void neverParkedHasNoLagAndEveryReadyPointIsAhead() {
        DrPosition p = DrPosition.of(Optional.empty(), PUBLISHED, Optional.empty());
        assertTrue(Double.isNaN(p.lagSeconds(T)));
        assertEquals(3, p.pointsBehind());
        assertTrue(p.problem().orElseThrow().contains("not parked"));
    }

    @Test
    void aCurrentPointWithoutItsManifestIsAProblemNotAGuess() {
        DrPosition p = DrPosition.of(Optional.of("gone"), PUBLISHED, Optional.empty());
        assertTrue(Double.isNaN(p.lagSeconds(T)));
        assertTrue(p.problem().orElseThrow().contains("gone"));
    }
}
