package io.whpg.drsync.dr;

/** One instance to be started towards the target: where, on which port, with which recovery file and log. */
public record PlannedStart(int gpSegmentId, String dataDir, int port, String recoveryConf, String logFile) {

    public InstanceRef ref() {
        return new InstanceRef(gpSegmentId, dataDir);
    }
}
