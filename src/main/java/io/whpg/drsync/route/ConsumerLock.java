package io.whpg.drsync.route;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;

/**
 * One consumer at a time per DR cluster. The daemon's timer route carries Camel's {@link ClusteredRoutePolicy}
 * (camel-cluster), so it runs only while this process leads {@link #NAMESPACE}, and starts the moment leadership
 * is taken (camel-master's {@code master:} endpoint, used before, waited a fixed second after it). The leader is
 * elected by a Camel cluster service: by default camel-file's {@link FileLockClusterService}, an OS file lock in
 * {@code dr.lock_dir} (enough when every consumer runs on one host); a cluster service declared as a
 * bean in {@code routes/*.yaml} (ZooKeeper, Kubernetes or Consul leases, for consumers on several hosts
 * sharing the state dir) replaces it. A lock held by a process that was killed is dropped by the OS with
 * the process; camel-file still honours the dead leader's last heartbeat (in {@code <namespace>.dat}) for
 * {@link #HEARTBEAT_MULTIPLIER} retry intervals, so a rerun right after a crash gets the lock within ~2 s.
 */
public final class ConsumerLock {
    public static final String NAMESPACE = "whpg-dr-sync-consumer";
    /** How often a waiting consumer retries the lock, and how often the holder renews its heartbeat. */
    static final long RETRY_MILLIS = 500;
    /** Missed heartbeats after which a holder counts as gone (the OS lock still decides on one host). */
    static final int HEARTBEAT_MULTIPLIER = 3;
    /**
     * How long {@code dr run --once} waits for the lock before it reports the other consumer, when the lock is
     * not plainly held by a live process (that is refused at once, {@link OnceLeadership}): long enough for the
     * heartbeat of a consumer killed just before to go stale and for one more try, with room for a slow JVM.
     */
    public static final long ONCE_WAIT_MILLIS = (HEARTBEAT_MULTIPLIER + 1) * RETRY_MILLIS + 1000;

    private ConsumerLock() {
    }

    /** The default leader election: an OS lock on {@code <lockDir>/whpg-dr-sync-consumer}, tried at once. */
    public static FileLockClusterService fileLock(String lockDir) {
        FileLockClusterService lock = new FileLockClusterService();
        lock.setId("whpg-dr-sync-" + ProcessHandle.current().pid());
        lock.setRoot(lockDir);
        lock.setAcquireLockDelay(1, TimeUnit.MILLISECONDS);
        lock.setAcquireLockInterval(RETRY_MILLIS, TimeUnit.MILLISECONDS);
        lock.setHeartbeatTimeoutMultiplier(HEARTBEAT_MULTIPLIER);
        return lock;
    }

    /**
     * The route policy that runs a route only while this process leads {@link #NAMESPACE}, electing through a cluster
     * service declared by the user, else through {@code fallback}; no start delay.
     */
    public static ClusteredRoutePolicy leaderOnly(CamelContext context, CamelClusterService fallback) throws Exception {
        ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(context,
                services -> Optional.of(select(services, fallback)), NAMESPACE);
        policy.setInitialDelay(Duration.ZERO);
        return policy;
    }

    private static String nameOf(CamelClusterService s) {
        return s.getId() != null ? s.getId() : s.getClass().getSimpleName();
    }

    /** Exactly one other cluster service wins; none means the file lock; several are refused, naming them. */
    static CamelClusterService select(java.util.Collection<CamelClusterService> services, CamelClusterService fallback) {
        List<CamelClusterService> declared = services.stream().filter(s -> s != fallback).toList();
        if (declared.size() > 1) {
            throw new IllegalStateException("the consumer lock needs one cluster service, and " + declared.size()
                    + " are declared (" + String.join(", ", declared.stream().map(ConsumerLock::nameOf).toList())
                    + "): keep one in routes/*.yaml, or none for the file lock in dr.lock_dir");
        }
        return declared.isEmpty() ? fallback : declared.get(0);
    }
}
