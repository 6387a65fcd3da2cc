package io.whpg.drsync.config;

/** Timers, bounds and naming shared by both roles. */
public record Behavior(int publisherSleepSecs, int consumerSleepSecs, int consumerReachPollSecs,
        int consumerWaitReachSecs, int walSegmentSizeMb, int publisherWaitArchiveSecs, String restorePointPrefix,
        int maxLagSecs) {

    /** With {@code max_lag_secs} at its default, {@link #defaultMaxLagSecs}. */
    public Behavior(int publisherSleepSecs, int consumerSleepSecs, int consumerReachPollSecs, int consumerWaitReachSecs,
                    int walSegmentSizeMb, int publisherWaitArchiveSecs, String restorePointPrefix) {
        this(publisherSleepSecs, consumerSleepSecs, consumerReachPollSecs, consumerWaitReachSecs, walSegmentSizeMb,
                publisherWaitArchiveSecs, restorePointPrefix, defaultMaxLagSecs(publisherSleepSecs, consumerSleepSecs,
                        consumerWaitReachSecs, publisherWaitArchiveSecs));
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
