package io.whpg.drsync.dr;

import io.whpg.drsync.pg.BackupHistory;
import io.whpg.drsync.pg.BackupLabel;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.Lsn;

/** Works out an instance's recovery floor from a probe, refusing anything that is not a parked standby copy. */
public final class Floors {
    private static final String IN_ARCHIVE_RECOVERY = "in archive recovery";

    /**
     * Where a base backup ended, from its backup history file in the WAL archive (see {@link ArchivedBackupEnds});
     * asked only for a copy whose end neither pg_control nor a backup_manifest gives.
     */
    @FunctionalInterface
    public interface BackupEnds {
        BackupHistory find(int gpSegmentId, BackupStart start, long segmentSize) throws NotParkedException;
    }

    /** For a look without the archive ({@code dr status}): says where the end will be read from. */
    public static final BackupEnds NOT_READ = (seg, start, segmentSize) -> {
        throw new NotParkedException("instance " + seg + ": " + start.describe() + ": its floor is the STOP WAL LOCATION "
                + "of the backup history file " + start.historyFileName(segmentSize) + " in the archive, read by dr run");
    };

    private Floors() {
    }

    /** The floor without the archive: a copy whose backup's end only the archive knows is refused ({@link #NOT_READ}). */
    public static Floor of(InstanceProbe p) throws NotParkedException {
        return of(p, NOT_READ);
    }

    public static Floor of(InstanceProbe p, BackupEnds ends) throws NotParkedException {
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
            String from = "";
            if (end == null) {
                // no backup_manifest (PostgreSQL 12): the archive's backup history file knows the end
                BackupStart start = new BackupStart(cd.backupStart(), tli(cd), null);
                end = ends.find(p.gpSegmentId(), start, cd.walSegmentSize()).stopWal();
                from = " (STOP WAL LOCATION of " + start.historyFileName(cd.walSegmentSize()) + ")";
            }
            Lsn floor = max(end, max(cd.minRecoveryEnd(), cd.latestCheckpoint()));
            return new Floor(p.gpSegmentId(), floor, tli(cd), cd.latestCheckpointRedo(), false, cd.systemIdentifier(),
                    "pg_controldata: " + cd.clusterState() + " before its base backup's end " + end + from);
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
        if (cd.isInProduction() && p.backupLabel() != null) {
            // a fresh base-backup copy, never started: replay starts at backup_label's start and is consistent only
            // at the backup's end; a target before that end FATALs (FACTS)
            BackupLabel label = p.backupLabel();
            if (p.backupEndLsn() != null) {
                return new Floor(p.gpSegmentId(), p.backupEndLsn(), cd.latestCheckpointTimeline(), label.startWal(), false,
                        cd.systemIdentifier(), "base backup ending at " + p.backupEndLsn());
            }
            BackupStart start = BackupStart.of(label);
            Lsn end = ends.find(p.gpSegmentId(), start, cd.walSegmentSize()).stopWal();
            return new Floor(p.gpSegmentId(), end, cd.latestCheckpointTimeline(), label.startWal(), false,
                    cd.systemIdentifier(), "base backup ending at " + end + " (STOP WAL LOCATION of "
                    + start.historyFileName(cd.walSegmentSize()) + ")");
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
