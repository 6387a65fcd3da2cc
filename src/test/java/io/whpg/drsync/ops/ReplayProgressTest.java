package io.whpg.drsync.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.pg.Lsn;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReplayProgressTest {
    private static final Instant AT = Instant.parse("2026-02-01T12:00:00Z");
    private static final Map<Integer, Lsn> TARGETS = Map.of(-1, Lsn.parse("0/6000000"), 0, Lsn.parse("0/9000000"),
            1, Lsn.parse("0/9000000"));

    @Test
    void theSlowestIsTheOneWithTheMostWalLeft() {
        Map<Integer, ReplayProgress.Position> positions = new TreeMap<>();
        positions.put(-1, new ReplayProgress.Stopped());
        positions.put(0, new ReplayProgress.At(Lsn.parse("0/8F00000")));
        positions.put(1, new ReplayProgress.At(Lsn.parse("0/7000000")));
        ReplayProgress p = ReplayProgress.of("sync_point_20260201_120000", positions, TARGETS, AT);
        assertEquals(1, p.done());
        assertEquals(3, p.total());
        assertEquals(Optional.of(1), p.slowestSegment());
        assertEquals(0x2000000L, p.bytesLeft());
        assertEquals("replay to sync_point_20260201_120000: 1/3 instances stopped at their target; slowest seg 1 at 0/7000000,"
                + " 32.0 MB of WAL left", p.line());
        assertEquals(p.line() + " (as of 2026-02-01T12:00:00Z)", ReplayProgress.lineOf(p.json()).orElseThrow());
    }

    @Test
    void anInstanceNotAnsweringYetIsNamedWhenNoneAnswers() {
        ReplayProgress p = ReplayProgress.of("p", new TreeMap<>(Map.of(0, new ReplayProgress.Starting(),
                -1, new ReplayProgress.Stopped())), TARGETS, AT);
        assertTrue(p.line().endsWith("1/2 instances stopped at their target; slowest seg 0 not answering yet (starting)"), p.line());
        ReplayProgress all = ReplayProgress.of("p", Map.of(0, new ReplayProgress.Stopped()), TARGETS, AT);
        assertEquals("replay to p: 1/1 instances stopped at their target", all.line());
    }
}
