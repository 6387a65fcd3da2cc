package io.whpg.drsync.config;

import java.nio.file.Path;

/**
 * The WAL archive: one sub-directory per instance named by {@code layout} (%c = gp_segment_id, as in
 * Greenplum's archive_command), in the store {@code backend} names, listed through the Camel endpoint
 * {@code listEndpoint}.
 */
public record Archive(Path archiveDir, String layout, String listEndpoint, Backend backend) {

    public Archive(Path archiveDir, String layout, String listEndpoint) {
        this(archiveDir, layout, listEndpoint, Backend.posix());
    }

    /** The archive directory of one instance, e.g. archiveDir/-1 for the coordinator with the default layout. */
    public Path dirFor(int gpSegmentId) {
        return archiveDir.resolve(layout.replace("%c", Integer.toString(gpSegmentId)));
    }
}
