package io.whpg.drsync.dr;

import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.Lsn;

/** Works out an instance's recovery floor from a probe, refusing anything that is not a parked standby copy. */
public final class Floors {
    private static final String IN_ARCHIVE_RECOVERY = "in archive recovery";

    private Floors() {
    }

    public static Floor of(InstanceProbe p) throws NotParkedException {
        String who = "instance " + p.gpSegmentId() + ": ";
        if (p.problem() != null) {
            throw new NotParkedException(who + p.problem());
        }
        if (!p.dataDirExists()) {
            throw new NotParkedException(who + "data directory does not exist");
        }
        if (p.running()) {
            throw new NotParkedException(who + "is running (postmaster pid " + p.runningPid() + ")");
        }
        if (p.recoverySignal()) {
            throw new NotParkedException(who + "recovery.signal is present: starting it would promote it");
        }
        if (!p.standbySignal()) {
            throw new NotParkedException(who + "standby.signal is missing: starting it would open it read-write");
        }
        if (!p.foreignTargetSettings().isEmpty()) {
            throw new NotParkedException(who + "recovery targets set outside the tool's file ("
                    + String.join("; ", p.foreignTargetSettings()) + "): remove them with ALTER SYSTEM RESET");
        }
        ControlData cd = p.controlData();
        if ((cd.isShutDownInRecovery() || IN_ARCHIVE_RECOVERY.equals(cd.clusterState()))
                && !Lsn.ZERO.equals(cd.backupStart())) {
            // replay stopped before its base backup's end: no target before that end is reachable (FATAL), measured
            Lsn end = !Lsn.ZERO.equals(cd.backupEnd()) ? cd.backupEnd() : p.backupEndLsn();
            if (end == null) {
                throw new NotParkedException(who + "stopped before reaching the end of its base backup (started at "
                        + cd.backupStart() + ") and no backup_manifest names that end: cannot tell which restore points "
                        + "it can reach");
            }
            Lsn floor = max(end, max(cd.minRecoveryEnd(), cd.latestCheckpoint()));
            return new Floor(p.gpSegmentId(), floor, tli(cd), cd.latestCheckpointRedo(), false, cd.systemIdentifier(),
                    "pg_controldata: " + cd.clusterState() + " before its base backup's end " + end);
        }
        if (cd.isShutDownInRecovery()) {
            Lsn floor = max(cd.minRecoveryEnd(), cd.latestCheckpoint());
            return new Floor(p.gpSegmentId(), floor, tli(cd), cd.latestCheckpointRedo(), true,
                    cd.systemIdentifier(), "pg_controldata: shut down in recovery at " + floor);
        }
        if (IN_ARCHIVE_RECOVERY.equals(cd.clusterState())) {
            // Stopped without a clean shutdown (crash, kill, or a FATAL): a restart resumes recovery safely.
            Lsn floor = max(cd.minRecoveryEnd(), cd.latestCheckpoint());
            return new Floor(p.gpSegmentId(), floor, tli(cd), cd.latestCheckpointRedo(), false,
                    cd.systemIdentifier(), "pg_controldata: stopped mid-recovery (in archive recovery) at " + floor);
        }
        if (cd.isInProduction() && p.backupStartLsn() != null) {
            if (p.backupEndLsn() == null) {
                throw new NotParkedException(who + "fresh base backup (backup_label present) without a backup_manifest "
                        + "naming its end LSN: cannot tell which restore points it can reach");
            }
            return new Floor(p.gpSegmentId(), p.backupEndLsn(), cd.latestCheckpointTimeline(), p.backupStartLsn(), false,
                    cd.systemIdentifier(), "base backup ending at " + p.backupEndLsn());
        }
        throw new NotParkedException(who + "cluster state is '" + cd.clusterState()
                + "', expected 'shut down in recovery' (or a fresh base backup with backup_label)");
    }

    private static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static int tli(ControlData cd) {
        return cd.minRecoveryEndTimeline() != 0 ? cd.minRecoveryEndTimeline() : cd.latestCheckpointTimeline();
    }
}
