package io.whpg.drsync.dr;

import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.state.RestorePointName;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

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
        return render(restorePoint, lsn, timeline, null, writtenAt);
    }

    /** With {@code restoreCommand} (WAL staged by the tool) the file also sets restore_command. */
    public static String render(String restorePoint, Lsn lsn, int timeline, String restoreCommand, Instant writtenAt) {
        RestorePointName.validate("restore point", restorePoint);
        StringBuilder sb = new StringBuilder("# Written by whpg_dr_sync at " + writtenAt + " for restore point "
                + restorePoint + ".\n# Owned by the tool: rewritten every cycle, do not edit.\n");
        settings(lsn, timeline, restoreCommand).forEach((name, value) -> sb.append(name).append(" = ")
                .append(name.equals("recovery_target_inclusive") ? value : "'" + value + "'").append('\n'));
        return sb.toString();
    }

    /** The settings of the file, each as {@code postgres -C} prints it once PostgreSQL has read the file. */
    public static Map<String, String> settings(Lsn lsn, int timeline) {
        return settings(lsn, timeline, null);
    }

    /** As {@link #settings(Lsn, int)}, plus restore_command when the tool owns it. */
    public static Map<String, String> settings(Lsn lsn, int timeline, String restoreCommand) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("recovery_target", "");
        s.put("recovery_target_name", "");
        s.put("recovery_target_time", "");
        s.put("recovery_target_xid", "");
        s.put("recovery_target_lsn", lsn.toString());
        s.put("recovery_target_inclusive", "off");
        s.put("recovery_target_timeline", String.valueOf(timeline));
        s.put("recovery_target_action", "shutdown");
        if (restoreCommand != null) {
            s.put("restore_command", restoreCommand);
        }
        return s;
    }
}
