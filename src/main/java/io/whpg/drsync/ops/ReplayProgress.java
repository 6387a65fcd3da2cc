package io.whpg.drsync.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.state.Json;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * How far a DR cycle's replay has come: instances stopped at their target out of those started, and the
 * slowest one still replaying with its position and how many bytes of WAL it has left. Pure.
 */
public record ReplayProgress(String target, int done, int total, Optional<Integer> slowestSegment,
                             Optional<Lsn> slowestAt, long bytesLeft, Instant at) {

    /** Where one started instance is: stopped (done), replaying at an LSN, or not answering yet (starting). */
    public sealed interface Position permits Stopped, At, Starting {
    }

    public record Stopped() implements Position {
    }

    public record At(Lsn lsn) implements Position {
    }

    public record Starting() implements Position {
    }

    /** @param positions per started instance; @param targets each one's restore LSN */
    public static ReplayProgress of(String target, Map<Integer, Position> positions, Map<Integer, Lsn> targets, Instant at) {
        int done = 0;
        Integer slowest = null;
        Lsn slowestAt = null;
        long left = 0;
        for (Map.Entry<Integer, Position> e : positions.entrySet()) {
            Position p = e.getValue();
            if (p instanceof Stopped) {
                done++;
            } else if (p instanceof At a) {
                long behind = Math.max(0, targets.getOrDefault(e.getKey(), a.lsn()).minus(a.lsn()));
                if (slowest == null || slowestAt == null || behind > left) {
                    slowest = e.getKey();
                    slowestAt = a.lsn();
                    left = behind;
                }
            } else if (slowest == null) {
                slowest = e.getKey(); // not consistent yet: slower than any that answers
            }
        }
        return new ReplayProgress(target, done, positions.size(), Optional.ofNullable(slowest), Optional.ofNullable(slowestAt),
                left, at);
    }

    public String line() {
        String head = "replay to " + target + ": " + done + "/" + total + " instances stopped at their target";
        if (slowestSegment.isEmpty()) {
            return head;
        }
        return head + "; slowest seg " + slowestSegment.get() + slowestAt.map(l -> " at " + l + ", "
                + String.format("%.1f", bytesLeft / 1048576.0) + " MB of WAL left").orElse(" not answering yet (starting)");
    }

    public ObjectNode json() {
        ObjectNode n = Json.object();
        n.put("target", target);
        n.put("done", done);
        n.put("total", total);
        slowestSegment.ifPresent(s -> n.put("slowest_segment", s));
        slowestAt.ifPresent(l -> n.put("slowest_lsn", l.toString()));
        n.put("bytes_left", bytesLeft);
        n.put("at", at.toString());
        n.put("line", line());
        return n;
    }

    /** The one line of a progress file another process wrote; empty when it is not one. */
    public static Optional<String> lineOf(JsonNode n) {
        return n.hasNonNull("line") && n.hasNonNull("at") ? Optional.of(n.path("line").asText() + " (as of " + n.path("at").asText() + ")")
                : Optional.empty();
    }
}
