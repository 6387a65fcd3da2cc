package io.whpg.drsync.config;

/** Timers, bounds and naming shared by both roles. */
public record Behavior(int publisherSleepSecs, int consumerSleepSecs, int consumerReachPollSecs,
        int consumerWaitReachSecs, int walSegmentSizeMb, int publisherWaitArchiveSecs, String restorePointPrefix) {

    public long walSegmentSizeBytes() {
        return walSegmentSizeMb * 1024L * 1024L;
    }
}
