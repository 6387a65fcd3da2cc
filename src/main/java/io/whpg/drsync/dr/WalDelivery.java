package io.whpg.drsync.dr;

import io.whpg.drsync.backend.ObjectStore;
import io.whpg.drsync.config.Backend;
import io.whpg.drsync.config.Instance;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the checked WAL reaches each instance to start: the hosts fetch it themselves (S3 presigned URLs; sftp / ssh
 * with the hosts' own login), or, with neither, the consumer copies it to local instances ({@link LocalWalStager}).
 */
final class WalDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(WalDelivery.class);

    /** The cycle's per-host fan-out: one call per host covering {@code which} instances. */
    @FunctionalInterface
    interface PerHost {
        List<HostCall> calls(String step, Duration timeout, Function<List<Integer>, String> script, Set<Integer> which);
    }

    private WalDelivery() {
    }

    /** The host calls that fetch {@code plan} (empty when this process already copied it). */
    static List<HostCall> calls(Backend backend, Map<Integer, Instance> instances, Map<Integer, List<WalStaging.Item>> plan,
                                ObjectStore store, Duration timeout, PerHost perHost) {
        Map<String, URI> urls = new HashMap<>();
        plan.values().stream().flatMap(List::stream).forEach(i -> store.presignedGet(i.key(), timeout).ifPresent(u -> urls.put(i.key(), u)));
        Function<List<Integer>, Map<Integer, String>> dataDirs = segs -> {
            Map<Integer, String> out = new TreeMap<>();
            segs.forEach(s -> out.put(s, instances.get(s).dataDir()));
            return out;
        };
        if (urls.size() == plan.values().stream().mapToInt(List::size).sum()) {
            return perHost.calls("stage", timeout, segs -> WalStaging.fetchScript(dataDirs.apply(segs), plan, urls), plan.keySet());
        }
        Backend.Sftp login = backend.sftp();
        if (login != null && login.hostIdentity() != null && login.hostKnownHosts() != null) {
            Map<String, String> paths = new HashMap<>();
            plan.values().forEach(items -> items.forEach(i -> paths.put(i.key(), i.key())));
            return perHost.calls("stage", timeout, segs -> WalStaging.fetchScript(WalStaging.hostDownload(backend),
                    dataDirs.apply(segs), plan, paths), plan.keySet());
        }
        for (Map.Entry<Integer, List<WalStaging.Item>> e : plan.entrySet()) {
            Instance i = instances.get(e.getKey());
            if (!i.isLocal()) {
                throw new CycleFailure(WalStaging.STAGE_FAILED, "instance " + i.gpSegmentId() + " on " + i.host()
                        + ": the consumer copies WAL to local DR instances only; set archive." + backend.kind()
                        + ".host_identity and host_known_hosts so every DR host fetches its own");
            }
            int fetched = LocalWalStager.stage(i.dataDir(), e.getValue(), store);
            LOG.info("instance {}: {} WAL file(s) staged, {} fetched", i.gpSegmentId(), e.getValue().size(), fetched);
        }
        return List.of();
    }
}
