package io.whpg.drsync.dr;

/** A DR instance as the scripts need it: its segment id and data directory on its host. */
public record InstanceRef(int gpSegmentId, String dataDir) {
}
