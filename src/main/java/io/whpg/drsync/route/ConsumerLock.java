package io.whpg.drsync.route;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.master.MasterComponent;

/**
 * One consumer at a time per DR cluster. The consume routes start through Camel's {@code master:}
 * component, so only the leader of {@link #NAMESPACE} runs a cycle. The leader is elected by a Camel
 * cluster service: by default camel-file's {@link FileLockClusterService}, an OS file lock in
 * {@code dr.lock_dir} (enough when every consumer runs on one host); a cluster service declared as a
 * bean in {@code routes/*.yaml} (ZooKeeper, Kubernetes or Consul leases, for consumers on several hosts
 * sharing the state dir) replaces it. A lock held by a process that was killed is free at once: the OS
 * drops it with the process.
 */
public final class ConsumerLock {
    public static final String NAMESPACE = "whpg-dr-sync-consumer";
    /** How often a waiting daemon retries the lock. */
    static final long RETRY_MILLIS = 1000;
    /** How long {@code dr run --once} waits for the lock before it reports the other consumer. */
    public static final long ONCE_WAIT_MILLIS = 2500;

    private ConsumerLock() {
    }

    /** The default leader election: an OS lock on {@code <lockDir>/whpg-dr-sync-consumer}, tried at once. */
    public static FileLockClusterService fileLock(String lockDir) {
        FileLockClusterService lock = new FileLockClusterService();
        lock.setId("whpg-dr-sync-" + ProcessHandle.current().pid());
        lock.setRoot(lockDir);
        lock.setAcquireLockDelay(1, TimeUnit.MILLISECONDS);
        lock.setAcquireLockInterval(RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return lock;
    }

    /** The master component electing through a cluster service declared by the user, else through {@code fallback}. */
    public static MasterComponent master(CamelClusterService fallback) {
        MasterComponent master = new MasterComponent();
        master.setServiceSelector(services -> select(services, fallback));
        return master;
    }

    /** Exactly one other cluster service wins; none means the file lock; several are ambiguous (none chosen). */
    static Optional<CamelClusterService> select(java.util.Collection<CamelClusterService> services,
                                                CamelClusterService fallback) {
        List<CamelClusterService> declared = services.stream().filter(s -> s != fallback).toList();
        if (declared.isEmpty()) {
            return Optional.of(fallback);
        }
        return declared.size() == 1 ? Optional.of(declared.get(0)) : Optional.empty();
    }

    /** The master: endpoint that runs {@code uri} only while this process holds the consumer lock. */
    public static String guarded(String uri) {
        return "master:" + NAMESPACE + ":" + uri;
    }
}
