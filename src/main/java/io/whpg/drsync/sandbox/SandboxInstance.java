package io.whpg.drsync.sandbox;

import java.nio.file.Path;

/**
 * One PostgreSQL instance of the sandbox: a primary or its DR copy.
 *
 * @param contentId Greenplum content id: -1 for the coordinator, 0..N-1 for segments
 * @param osUser    the OS user that owns the data dir and runs the server
 */
public record SandboxInstance(int contentId, int port, Path dataDir, String osUser) {

    /** Greenplum's data directory name for this content id, e.g. {@code gpseg-1}, {@code gpseg0}. */
    public String name() {
        return SandboxLayout.instanceName(contentId);
    }
}
