package io.whpg.drsync.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How far the DR site is behind: the point it is parked at (or last left, while a cycle moves it), the age
 * of that point (the lag), and how many READY points were published after it. Pure: built from what the
 * state and manifest files say.
 */
public record DrPosition(Optional<String> point, Optional<Instant> pointCreatedAt, int pointsBehind,
                         Optional<String> problem) {

    /** A published manifest, as far as position cares. */
    public record Published(String restorePoint, Instant createdAt, boolean ready) {
    }

    /**
     * @param point the current restore point (or the one a cycle in transit left); empty when never parked
     * @param published every manifest that could be read
     */
    public static DrPosition of(Optional<String> point, List<Published> published, Optional<String> problem) {
        Optional<Instant> created = point.flatMap(p -> published.stream()
                .filter(m -> m.restorePoint().equals(p)).map(Published::createdAt).findFirst());
        int behind = (int) published.stream().filter(Published::ready)
                .filter(m -> created.isEmpty() || m.createdAt().isAfter(created.get())).count();
        Optional<String> why = problem;
        if (why.isEmpty() && point.isEmpty()) {
            why = Optional.of("not parked at a verified restore point yet");
        } else if (why.isEmpty() && created.isEmpty()) {
            why = Optional.of("the manifest of the current restore point " + point.get() + " is missing or unreadable");
        }
        return new DrPosition(point, created, behind, why);
    }

    /** Seconds since the current point was created; NaN when unknown (never parked, manifest gone). */
    public double lagSeconds(Instant now) {
        return pointCreatedAt.map(c -> Duration.between(c, now).toMillis() / 1000.0).orElse(Double.NaN);
    }
}
