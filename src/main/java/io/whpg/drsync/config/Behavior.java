package io.whpg.drsync.config;

/** Timers, bounds and naming shared by both roles. */
public record Behavior(int publisherSleepSecs, int consumerSleepSecs, int consumerReachPollSecs,
        int consumerWaitReachSecs, int walSegmentSizeMb, int publisherWaitArchiveSecs, String restorePointPrefix,
        int maxLagSecs, int maxReplayMb, boolean refuseSharedDirs) {
    /** The replay rate the default {@code max_replay_mb} allows for: a generous 1 GB/s. */
    public static final int GENEROUS_REPLAY_MB_PER_SEC = 1024;
    /** 16 TB: at most a million WAL file names of 16 MB to check for one instance. */
    public static final int MAX_REPLAY_MB = 16 * 1024 * 1024;

    /** With {@code max_lag_secs} and {@code max_replay_mb} at their defaults. */
    public Behavior(int publisherSleepSecs, int consumerSleepSecs, int consumerReachPollSecs, int consumerWaitReachSecs,
                    int walSegmentSizeMb, int publisherWaitArchiveSecs, String restorePointPrefix) {
        this(publisherSleepSecs, consumerSleepSecs, consumerReachPollSecs, consumerWaitReachSecs, walSegmentSizeMb,
                publisherWaitArchiveSecs, restorePointPrefix, defaultMaxLagSecs(publisherSleepSecs, consumerSleepSecs,
                        consumerWaitReachSecs, publisherWaitArchiveSecs), defaultMaxReplayMb(consumerWaitReachSecs), false);
    }

    /**
     * What an instance could replay within {@code consumer_wait_reach_secs} at {@value #GENEROUS_REPLAY_MB_PER_SEC}
     * MB/s: a target further past an instance's floor cannot be reached in one cycle, and is refused before any WAL
     * file name is listed for it.
     */
    public static int defaultMaxReplayMb(int consumerWaitReachSecs) {
        return (int) Math.min(MAX_REPLAY_MB, (long) consumerWaitReachSecs * GENEROUS_REPLAY_MB_PER_SEC);
    }

    public long maxReplayBytes() {
        return maxReplayMb * 1024L * 1024L;
    }

    /**
     * Two full rounds of publish (sleep + archive wait) and consume (sleep + reach wait), at least 15 minutes:
     * a DR site further behind than that has missed at least one whole round, which is worth a page.
     */
    public static int defaultMaxLagSecs(int publisherSleepSecs, int consumerSleepSecs, int consumerWaitReachSecs,
                                        int publisherWaitArchiveSecs) {
        long rounds = 2L * (publisherSleepSecs + publisherWaitArchiveSecs + consumerSleepSecs + consumerWaitReachSecs);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(900, rounds));
    }

    public long walSegmentSizeBytes() {
        return walSegmentSizeMb * 1024L * 1024L;
    }
}
