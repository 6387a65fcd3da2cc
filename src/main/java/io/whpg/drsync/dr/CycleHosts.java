package io.whpg.drsync.dr;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.exec.HostShell;
import io.whpg.drsync.exec.OsUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where a DR cycle's instances live and how their hosts are reached: the instances by content id, the host of
 * each (local as the data dir's owner, or an SSH login), one shell per host for the cycle, and the per-host
 * calls a step makes (one script per host for all of its instances).
 */
final class CycleHosts implements AutoCloseable {
    private final DrSyncConfig config;
    private final Map<Integer, Instance> instances = new TreeMap<>();
    private final Map<Integer, DrHost> hostOf = new TreeMap<>();
    private final HostShells shells;

    CycleHosts(DrSyncConfig config, Function<DrHost, HostShell> opener) {
        this.config = config;
        this.shells = new HostShells(opener);
        for (Instance i : config.dr().instances()) {
            instances.put(i.gpSegmentId(), i);
            hostOf.put(i.gpSegmentId(), hostFor(config, i));
        }
    }

    Map<Integer, Instance> instances() {
        return instances;
    }

    Instance instance(int gpSegmentId) {
        return instances.get(gpSegmentId);
    }

    Map<Integer, DrHost> hostOf() {
        return hostOf;
    }

    DrHost hostOf(int gpSegmentId) {
        return hostOf.get(gpSegmentId);
    }

    int opened() {
        return shells.opened();
    }

    int sshSessions() {
        return shells.sshSessions();
    }

    private static DrHost hostFor(DrSyncConfig config, Instance i) {
        if (i.isLocal()) {
            String user = i.osUser();
            if (user == null && OsUser.isRoot() && Files.exists(Path.of(i.dataDir()))) {
                user = OsUser.ownerOf(Path.of(i.dataDir()));
            }
            return new DrHost(true, "localhost", 0, user);
        }
        int port = i.sshPort() != null ? i.sshPort() : config.ssh().port();
        // Host names are case-insensitive (as the config checks them): DR1 and dr1 must share one session.
        return new DrHost(false, i.host().toLowerCase(Locale.ROOT), port, i.osUser() != null ? i.osUser() : config.ssh().user());
    }

    List<HostCall> perHost(String step, Duration timeout, Function<List<Integer>, String> script,
                                   Set<Integer> which) {
        Map<DrHost, List<Integer>> byHost = new LinkedHashMap<>();
        for (Integer seg : which) {
            byHost.computeIfAbsent(hostOf.get(seg), h -> new ArrayList<>()).add(seg);
        }
        List<HostCall> calls = new ArrayList<>();
        byHost.forEach((host, segs) -> calls.add(new HostCall(step, host, script.apply(segs), timeout, shells)));
        return calls;
    }

    Duration commandTimeout() {
        return Duration.ofSeconds(config.ssh().commandTimeoutSecs());
    }

    List<InstanceRef> refs(List<Integer> segs) {
        return segs.stream().map(s -> new InstanceRef(s, instances.get(s).dataDir())).toList();
    }

    List<Integer> segmentsOn(DrHost host) {
        return hostOf.entrySet().stream().filter(e -> e.getValue().equals(host)).map(Map.Entry::getKey).toList();
    }

    /** Host calls that gave no usable answer: {@code timeout} when every one ran but outlived its bound (a hung command). */
    static CycleFailure unreached(List<HostReply> failed) {
        String status = failed.stream().allMatch(HostReply::timedOut) ? ParkVerifier.TIMEOUT : ConsumeCycle.HOST_UNREACHABLE;
        return new CycleFailure(status, failed.stream().map(HostReply::problem).collect(Collectors.joining("; ")));
    }

    @Override
    public void close() {
        shells.close();
    }
}
