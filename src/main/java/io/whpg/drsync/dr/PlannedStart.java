package io.whpg.drsync.dr;

import java.util.Map;

/**
 * One instance to be started towards the target: where, on which port, with which recovery file and log.
 *
 * @param recoverySettings the settings the recovery file sets, in its order, as {@code postgres -C} must then report them
 */
public record PlannedStart(int gpSegmentId, String dataDir, int port, String recoveryConf,
                           Map<String, String> recoverySettings, String logFile) {

    public PlannedStart {
        recoverySettings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(recoverySettings));
    }

    public InstanceRef ref() {
        return new InstanceRef(gpSegmentId, dataDir);
    }
}
