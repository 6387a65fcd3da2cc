package io.whpg.drsync.state;

import io.whpg.drsync.pg.Lsn;

/** One instance's share of a cluster-wide restore point, as the publisher observed it on the primary. */
public record SegmentPoint(int gpSegmentId, Lsn restoreLsn, int timeline, String walFile,
                           String systemIdentifier, String host, int port) {
}
