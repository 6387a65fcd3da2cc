package io.whpg.drsync.primary;

/** What an instance itself says about its restore LSN: the WAL file holding it, its identity and segment size. */
public record InstanceFacts(int gpSegmentId, String walFile, String systemIdentifier, long walSegmentSize) {
}
