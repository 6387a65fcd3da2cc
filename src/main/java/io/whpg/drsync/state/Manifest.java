package io.whpg.drsync.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.pg.Lsn;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A published restore point: one LSN per instance, and whether every WAL file the DR needs to reach
 * it is archived ({@code ready}). {@code evidence} records how readiness was established.
 */
public record Manifest(String restorePoint, Instant createdAtUtc, boolean ready, long walSegmentSize,
                       List<SegmentPoint> segments, ObjectNode evidence) {

    public Manifest {
        segments = List.copyOf(segments);
    }

    public Optional<SegmentPoint> segment(int gpSegmentId) {
        return segments.stream().filter(s -> s.gpSegmentId() == gpSegmentId).findFirst();
    }

    /** Where the point lies in the WAL, for ordering manifests: the restore LSN of the lowest segment id (the coordinator). */
    public Lsn firstLsn() {
        return segments.stream().min(Comparator.comparingInt(SegmentPoint::gpSegmentId))
                .map(SegmentPoint::restoreLsn).orElse(Lsn.parse("0/0"));
    }

    public Manifest withReadiness(boolean isReady, ObjectNode newEvidence) {
        return new Manifest(restorePoint, createdAtUtc, isReady, walSegmentSize, segments, newEvidence);
    }
}
