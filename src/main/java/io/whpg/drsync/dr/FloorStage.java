package io.whpg.drsync.dr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the probes of a DR cycle make of each instance: its floor (where its replay would begin) or why it is
 * refused. On the first probe, servers this tool started and a crash left running (every running one must be
 * such) are not refused but noted to settle; the probe after that refuses whatever still runs. A running
 * refused instance's refusal is completed with what it says over SQL.
 */
final class FloorStage {
    private static final Logger LOG = LoggerFactory.getLogger(FloorStage.class);

    private final Map<Integer, InstanceProbe> probes = new TreeMap<>();
    private final Map<Integer, Floor> floors = new TreeMap<>();
    private final Map<Integer, String> refusals = new TreeMap<>();
    private final Set<Integer> toSettle = new TreeSet<>();
    private final List<String> settleNotes = new ArrayList<>();
    private boolean settled;

    /** Judges a probe round; with left-over servers to settle first, only notes them. */
    void judge(Map<Integer, InstanceProbe> probed, Floors.BackupEnds backupEnds) {
        probes.clear();
        floors.clear();
        refusals.clear();
        probes.putAll(probed);
        List<InstanceProbe> running = probes.values().stream().filter(InstanceProbe::running).toList();
        if (!settled && !running.isEmpty() && running.stream().allMatch(InstanceProbe::runningStandbyOfTheTool)) {
            running.forEach(p -> {
                toSettle.add(p.gpSegmentId());
                LOG.warn("instance {} is still running towards {} (started by an earlier run that did not finish): "
                        + "waiting for it to stop", p.gpSegmentId(), p.startedFor());
            });
            return;
        }
        for (InstanceProbe p : probes.values()) {
            try {
                floors.put(p.gpSegmentId(), Floors.of(p, backupEnds));
            } catch (NotParkedException e) {
                refusals.put(p.gpSegmentId(), e.getMessage());
            }
        }
    }

    Map<Integer, Floor> floors() {
        return floors;
    }

    InstanceProbe probe(int gpSegmentId) {
        return probes.get(gpSegmentId);
    }

    List<Integer> runningRefused() {
        return refusals.keySet().stream().filter(seg -> probes.get(seg).running()).toList();
    }

    void sqlFloor(int gpSegmentId, boolean inRecovery, String replayLsn) {
        refusals.computeIfPresent(gpSegmentId, (seg, why) -> why + (inRecovery
                ? ", in recovery, replayed to " + replayLsn + " (SQL)"
                : ", READ-WRITE (not in recovery, SQL): it was promoted or is not a DR copy"));
    }

    void sqlFloorUnavailable(int gpSegmentId, String error) {
        refusals.computeIfPresent(gpSegmentId, (seg, why) -> why + " (SQL floor unavailable: " + error + ")");
    }

    /** Any instance that is not a parked standby copy stops the cycle, before anything is touched. */
    void refuseUnparked() {
        if (!refusals.isEmpty()) {
            throw new CycleFailure(ConsumeCycle.INSTANCE_NOT_PARKED, String.join("; ", refusals.values()));
        }
    }

    boolean mustSettle() {
        return !toSettle.isEmpty() && !settled;
    }

    Set<Integer> toSettle() {
        return toSettle;
    }

    /** Notes how each left-over server ended (by itself at its target, or fast-stopped); returns the failed calls. */
    List<HostReply> settled(List<HostReply> replies) {
        settled = true;
        List<HostReply> problems = new ArrayList<>();
        for (HostReply r : replies) {
            if (!r.ok()) {
                problems.add(r);
                continue;
            }
            ScriptOutput.parse(r.result().stdout()).loose("settled").ifPresent(lines -> lines.lines().forEach(l -> {
                String note = "instance " + l.replaceFirst(" exited$", " stopped by itself at its target")
                        .replaceFirst(" stopped (\\d+)$", " still running at the deadline: fast-stopped (pg_ctl exit $1)");
                settleNotes.add(note);
                LOG.info(note);
            }));
        }
        return problems;
    }

    List<String> settleNotes() {
        return settleNotes;
    }
}
