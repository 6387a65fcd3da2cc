package io.whpg.drsync.dr;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.SegmentPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Moving a DR cycle's instances to its target and judging where they stopped: a recovery file for each instance
 * to start (the others, already at the target, are adopted and only judged), prepare with the effective-settings
 * check, start, await, and a verdict per instance from its own evidence.
 */
final class ParkStage {
    /** When instances fail differently, the cycle's status is the first of these any of them has. */
    private static final List<String> SEVERITY = List.of(ParkVerifier.PROMOTED, ParkVerifier.TARGET_BEHIND_FLOOR,
            ParkVerifier.TIMEOUT_WAITING_FOR_WAL, ParkVerifier.TIMEOUT, ParkVerifier.VERIFICATION_FAILED);

    private final DrSyncConfig config;
    private final CycleHosts hosts;
    private final Map<Integer, PlannedStart> plans = new TreeMap<>();
    private final List<Integer> adopted = new ArrayList<>();
    private final Map<Integer, ParkVerifier.Verdict> verdicts = new TreeMap<>();
    private final Map<Integer, Long> replayMillis = new HashMap<>();
    private boolean started;

    ParkStage(DrSyncConfig config, CycleHosts hosts) {
        this.config = config;
        this.hosts = hosts;
    }

    /** Plans every start (staged WAL read by the tool's restore_command when {@code staged}) and returns the prepare calls. */
    List<HostCall> prepareCalls(Manifest m, List<Integer> toStart, boolean staged, Instant now, long stamp) {
        m.segments().stream().map(SegmentPoint::gpSegmentId).filter(seg -> !toStart.contains(seg)).forEach(adopted::add);
        for (Integer seg : toStart) {
            Instance i = hosts.instance(seg);
            SegmentPoint p = m.segment(seg).orElseThrow();
            String restore = staged ? WalStaging.restoreCommand(i.dataDir()) : null;
            String conf = RecoveryTargetFile.render(m.restorePoint(), p.restoreLsn(), p.timeline(), restore, now);
            String log = i.dataDir() + "/log/whpg_dr_sync-" + m.restorePoint() + "-" + stamp + ".log";
            plans.put(seg, new PlannedStart(seg, i.dataDir(), i.port(), conf,
                    RecoveryTargetFile.settings(p.restoreLsn(), p.timeline(), restore), log));
        }
        // the effective settings are asked of PostgreSQL once the recovery file is in place, before any start
        return hosts.perHost("prepare", hosts.commandTimeout(), segs -> HostScripts.prepare(planned(segs))
                + EffectiveSettings.check(config.dr().pgBin(), m.restorePoint(), planned(segs)), plans.keySet());
    }

    /** A refused setting is {@code instance_not_parked} naming the instance; anything else {@code prepare_failed}. */
    static Optional<CycleFailure> prepareFailure(List<HostReply> replies) {
        List<String> problems = new ArrayList<>();
        for (HostReply r : replies) {
            if (!r.ok()) {
                ScriptOutput out = r.result() == null ? null : ScriptOutput.parse(r.result().stdout());
                String refused = out == null ? null : out.loose("refused").orElse(null);
                String unwritten = out == null ? null : out.loose("write_failed").orElse(null);
                problems.add(refused != null ? "instance " + refused.replace("\n", "; instance ") : unwritten != null
                        ? "prepare on " + r.call().host().describe() + ": " + unwritten.replace('\n', ';') : r.problem());
            }
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(new CycleFailure(problems.stream()
                .anyMatch(p -> p.startsWith("instance ")) ? ConsumeCycle.INSTANCE_NOT_PARKED : ConsumeCycle.PREPARE_FAILED,
                String.join("; ", problems)));
    }

    List<HostCall> startCalls(String target) {
        started = true;
        return hosts.perHost("start", hosts.commandTimeout(),
                segs -> HostScripts.start(config.dr().pgBin(), target, planned(segs)), plans.keySet());
    }

    List<HostCall> awaitCalls(String target) {
        long seconds = config.behavior().consumerWaitReachSecs();
        Duration timeout = Duration.ofSeconds(seconds).plus(hosts.commandTimeout());
        Set<Integer> judged = new TreeSet<>(plans.keySet());
        judged.addAll(adopted);
        return hosts.perHost("await", timeout, segs -> HostScripts.await(config.dr().pgBin(), target,
                planned(segs.stream().filter(plans::containsKey).toList()),
                hosts.refs(segs.stream().filter(adopted::contains).toList()), seconds), judged);
    }

    /** A verdict for every started or adopted instance; the cycle's failure, if any, names each one that failed. */
    Optional<CycleFailure> judge(List<HostReply> replies, Manifest m, FloorStage floors) {
        List<HostReply> unreachable = new ArrayList<>();
        for (HostReply r : replies) {
            if (r.error() != null) {
                unreachable.add(r);
                continue;
            }
            ScriptOutput out = ScriptOutput.parse(r.result().stdout());
            Map<Integer, String> promoted = new HashMap<>();
            out.loose("promoted").ifPresent(lines -> lines.lines().forEach(l -> {
                String[] segAndWhy = l.split(" ", 2);
                promoted.put(Integer.valueOf(segAndWhy[0]), segAndWhy.length > 1 ? segAndWhy[1] : "");
            }));
            for (Integer seg : hosts.segmentsOn(r.call().host())) {
                if (!plans.containsKey(seg) && !adopted.contains(seg)) {
                    continue;
                }
                SegmentPoint p = m.segment(seg).orElseThrow();
                verdicts.put(seg, promoted.containsKey(seg)
                        ? ParkVerifier.promoted(seg, promoted.get(seg), out.block(seg).orElse(null))
                        : ParkVerifier.judge(seg, p.restoreLsn(), p.timeline(), m.walSegmentSize(),
                                floors.probe(seg).historyFiles(), out.block(seg).orElse(null)));
                replayMillis.put(seg, r.millis());
            }
        }
        if (!unreachable.isEmpty()) {
            return Optional.of(CycleHosts.unreached(unreachable));
        }
        List<ParkVerifier.Verdict> bad = verdicts.values().stream().filter(v -> !v.ok()).toList();
        if (bad.isEmpty()) {
            return Optional.empty();
        }
        String status = SEVERITY.stream().filter(s -> bad.stream().anyMatch(v -> v.status().equals(s)))
                .findFirst().orElse(ParkVerifier.VERIFICATION_FAILED);
        return Optional.of(new CycleFailure(status, bad.stream().map(ParkVerifier.Verdict::detail)
                .collect(Collectors.joining("; "))));
    }

    /** After a failure: fast-stop whatever this cycle started that still runs, so every instance stays parked. */
    List<HostCall> stopCalls() {
        if (!started) {
            return List.of();
        }
        return hosts.perHost("stop", Duration.ofSeconds(90).plus(hosts.commandTimeout()),
                segs -> HostScripts.stop(config.dr().pgBin(), hosts.refs(segs)), plans.keySet());
    }

    Map<Integer, PlannedStart> plans() {
        return plans;
    }

    List<Integer> adopted() {
        return adopted;
    }

    Map<Integer, ParkVerifier.Verdict> verdicts() {
        return verdicts;
    }

    Map<Integer, Long> replayMillis() {
        return replayMillis;
    }

    private List<PlannedStart> planned(List<Integer> segs) {
        return segs.stream().map(plans::get).toList();
    }
}
