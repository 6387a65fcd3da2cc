package io.whpg.drsync.dr;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a DR cycle's receipt says, from what the cycle knows when it ends: the seed's fields, then per instance its
 * floor, start, verdict and log evidence, the step timings and the sessions used. Pure: nothing is read or written.
 */
record CycleReceipt(Optional<String> current, Optional<String> requested, Manifest manifest, Instant now,
        Optional<StateStore.Transit> transitBefore, boolean departed, List<String> settleNotes, Instant startedAt,
        Map<Integer, Instance> instances, Map<Integer, DrHost> hostOf, Map<Integer, Floor> floors,
        Collection<Integer> started, Collection<Integer> adopted, Map<Integer, ParkVerifier.Verdict> verdicts,
        Map<Integer, Long> replayMillis, Map<String, Long> stepMillis, int hostShells, int sshSessions,
        List<String> skippedManifests) {

    ObjectNode json(String status, String detail, boolean advanced) {
        Manifest m = manifest; // null when no target was chosen
        ObjectNode r = Json.object();
        r.put("current_restore_point", current.orElse(null));
        r.put("target_restore_point", m == null ? requested.orElse("none") : m.restorePoint());
        r.put("checked_at_utc", now.toString());
        r.put("mode", "shutdown");
        r.put("status", status);
        ObjectNode lsns = r.putObject("target_lsns");
        if (m != null) {
            m.segments().forEach(s -> lsns.put(String.valueOf(s.gpSegmentId()), s.restoreLsn().toString()));
        }
        r.put("advanced", advanced);
        r.put("detail", detail);
        transitBefore.ifPresent(t -> {
            ObjectNode n = r.putObject("in_transit_before");
            n.put("from", t.from().orElse(null));
            n.put("to", t.to());
            n.put("since_utc", t.since().toString());
        });
        r.put("departed", departed);
        if (!settleNotes.isEmpty()) {
            ArrayNode settledNode = r.putArray("settled");
            settleNotes.forEach(settledNode::add);
        }
        r.put("started_at_utc", startedAt.toString());
        r.put("duration_ms", Duration.between(startedAt, now).toMillis());
        ArrayNode inst = r.putArray("instances");
        for (Map.Entry<Integer, Instance> e : instances.entrySet()) {
            int seg = e.getKey();
            ObjectNode n = inst.addObject();
            n.put("gp_segment_id", seg);
            n.put("host", hostOf.get(seg).describe());
            n.put("data_dir", e.getValue().dataDir());
            Floor f = floors.get(seg);
            if (f != null) {
                n.put("floor_before", f.lsn().toString());
                n.put("floor_source", f.source());
            }
            n.put("started", started.contains(seg));
            n.put("adopted", adopted.contains(seg));
            ParkVerifier.Verdict v = verdicts.get(seg);
            if (v != null) {
                n.put("verdict", v.status());
                n.put("detail", v.detail());
                if (v.after() != null) {
                    n.put("state_after", v.after().clusterState());
                    n.put("min_recovery_end_lsn", v.after().minRecoveryEnd().toString());
                    n.put("timeline_after", v.after().minRecoveryEndTimeline());
                }
                if (v.missingWal() != null) {
                    n.put("missing_wal_file", v.missingWal());
                }
                ArrayNode ev = n.putArray("log_evidence");
                v.evidence().forEach(ev::add);
                n.put("wait_ms", replayMillis.getOrDefault(seg, 0L));
            }
        }
        ObjectNode timings = r.putObject("step_ms");
        stepMillis.forEach(timings::put);
        r.put("host_shells", hostShells);
        r.put("ssh_sessions", sshSessions);
        if (!skippedManifests.isEmpty()) {
            ArrayNode sk = r.putArray("skipped_manifests");
            skippedManifests.forEach(sk::add);
        }
        return r;
    }
}
