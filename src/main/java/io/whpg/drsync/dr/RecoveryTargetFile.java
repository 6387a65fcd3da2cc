package io.whpg.drsync.dr;

import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.state.RestorePointName;
import java.time.Instant;

/**
 * The content of the tool's recovery file: exactly one target, the restore LSN, excluded
 * ({@code recovery_target_inclusive = off}), so replay stops right before the first record after the
 * restore point (the default "on" replays one record too many, FACTS), then shuts down.
 * The other target kinds are reset first: a single file then always holds a single target.
 */
public final class RecoveryTargetFile {
    private RecoveryTargetFile() {
    }

    public static String render(String restorePoint, Lsn lsn, int timeline, Instant writtenAt) {
        RestorePointName.validate("restore point", restorePoint);
        return "# Written by whpg_dr_sync at " + writtenAt + " for restore point " + restorePoint + ".\n"
                + "# Owned by the tool: rewritten every cycle, do not edit.\n"
                + "recovery_target = ''\n"
                + "recovery_target_name = ''\n"
                + "recovery_target_time = ''\n"
                + "recovery_target_xid = ''\n"
                + "recovery_target_lsn = '" + lsn + "'\n"
                + "recovery_target_inclusive = off\n"
                + "recovery_target_timeline = '" + timeline + "'\n"
                + "recovery_target_action = 'shutdown'\n";
    }
}
