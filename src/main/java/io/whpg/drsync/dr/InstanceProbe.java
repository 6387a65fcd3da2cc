package io.whpg.drsync.dr;

import io.whpg.drsync.pg.BackupLabel;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.Lsn;
import java.util.List;

/**
 * What one look at a DR instance's data directory showed: control data, signal files, whether a
 * postmaster runs, base-backup leftovers, and recovery settings the tool does not own.
 *
 * @param backupLabel the data dir's backup_label (a base backup never started), else null
 * @param backupEndLsn the end LSN a backup_manifest names (PostgreSQL 13+), else null
 * @param problem a one-line reason the directory could not be read, else null
 * @param startedFor for a running server the tool started, the restore point it was started towards, else null
 */
public record InstanceProbe(int gpSegmentId, boolean dataDirExists, ControlData controlData,
                            boolean standbySignal, boolean recoverySignal, Integer runningPid,
                            BackupLabel backupLabel, Lsn backupEndLsn, List<String> foreignTargetSettings,
                            boolean includePresent, List<String> historyFiles, String problem, String startedFor) {

    public InstanceProbe {
        foreignTargetSettings = List.copyOf(foreignTargetSettings);
        historyFiles = List.copyOf(historyFiles);
    }

    public boolean running() {
        return runningPid != null;
    }

    /**
     * A standby this tool started (a crash left it running) that can be left to stop at its target: it
     * still has standby.signal and no recovery.signal, so it cannot promote itself.
     */
    public boolean runningStandbyOfTheTool() {
        return running() && startedFor != null && standbySignal && !recoverySignal;
    }

    /** Reads one instance's block of {@link HostScripts#probe} output; a missing block is a problem, not a guess. */
    public static InstanceProbe from(int gpSegmentId, ScriptOutput.Block b) {
        if (b == null) {
            return failed(gpSegmentId, "no probe output for this instance");
        }
        if (b.has("missing")) {
            return new InstanceProbe(gpSegmentId, false, null, false, false, null, null, null,
                    List.of(), false, List.of(), null, null);
        }
        ControlData cd;
        try {
            cd = ControlData.parse(b.controlData());
        } catch (IllegalArgumentException e) {
            String first = b.controlData().lines().findFirst().orElse("no output");
            return failed(gpSegmentId, "pg_controldata failed: " + first);
        }
        try {
            return new InstanceProbe(gpSegmentId, true, cd, b.has("standby_signal"), b.has("recovery_signal"),
                    b.value("running").map(InstanceProbe::pid).orElse(null),
                    b.has("backup_label") ? BackupLabel.parse(b.backupLabel()) : null,
                    b.value("backup_end").map(InstanceProbe::endLsn).orElse(null),
                    b.foreignSettings(), b.has("include_present"), b.historyFiles(), null,
                    b.value("started_for").orElse(null));
        } catch (IllegalArgumentException e) {
            // a torn backup_label, backup_manifest or postmaster.pid: report it for this instance instead of failing the whole cycle
            return failed(gpSegmentId, e.getMessage());
        }
    }

    private static Integer pid(String firstLine) {
        try {
            return Integer.valueOf(firstLine);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("postmaster.pid: expected a process id on its first line, got \""
                    + firstLine + "\"");
        }
    }

    private static Lsn lsn(String what, String text) {
        try {
            return Lsn.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    public static InstanceProbe unreachable(int gpSegmentId, String problem) {
        return failed(gpSegmentId, problem);
    }

    private static InstanceProbe failed(int gpSegmentId, String problem) {
        return new InstanceProbe(gpSegmentId, true, null, false, false, null, null, null,
                List.of(), false, List.of(), problem, null);
    }

    /** {@code "End-LSN": "0/4000100"} from backup_manifest's WAL-Ranges. */
    private static Lsn endLsn(String jsonFragment) {
        String v = jsonFragment.substring(jsonFragment.indexOf(':') + 1).replace("\"", "").strip();
        return lsn("backup_manifest End-LSN", v);
    }
}
