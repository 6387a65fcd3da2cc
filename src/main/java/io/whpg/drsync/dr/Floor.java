package io.whpg.drsync.dr;

import io.whpg.drsync.pg.Lsn;

/**
 * The lowest restore LSN an instance may be sent to: where it is parked (or where its base backup
 * ends), the timeline it is on, and where its next replay will start reading WAL.
 *
 * @param parked true when the instance is {@code shut down in recovery}, i.e. stopped at {@code lsn}
 */
public record Floor(int gpSegmentId, Lsn lsn, int timeline, Lsn replayFrom, boolean parked,
                    String systemIdentifier, String source) {
}
