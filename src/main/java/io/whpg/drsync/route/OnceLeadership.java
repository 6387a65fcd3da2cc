package io.whpg.drsync.route;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.support.cluster.ClusterServiceHelper;

/**
 * The consumer lock for one {@code dr run --once}: the same cluster service and namespace the daemon's
 * {@code master:} route elects through ({@link ConsumerLock}), taken directly from the service's view, so the
 * cycle starts as soon as the lock is ours instead of after the master component's fixed 1 s start delay.
 * With the default file lock, an OS lock held by another live process is seen at once and refused without
 * waiting; otherwise (a consumer killed moments ago whose heartbeat is still fresh, or a declared cluster
 * service) it waits up to {@link ConsumerLock#ONCE_WAIT_MILLIS}.
 */
public final class OnceLeadership implements AutoCloseable {
    private final CamelClusterService service;
    private final CamelClusterView view;

    private OnceLeadership(CamelClusterService service, CamelClusterView view) {
        this.service = service;
        this.view = view;
    }

    /** The lock, held until {@link #close()}; empty when another consumer holds it. */
    public static Optional<OnceLeadership> acquire(CamelContext context, FileLockClusterService fallback, Duration wait)
            throws Exception {
        // no cluster service in the context at all means none declared: the file lock, as ConsumerLock.select says
        CamelClusterService service = ClusterServiceHelper.lookupService(context, s -> Optional.of(ConsumerLock.select(s, fallback)))
                .orElse(fallback);
        if (service == fallback && heldByAnotherProcess(Path.of(fallback.getRoot(), ConsumerLock.NAMESPACE))) {
            return Optional.empty();
        }
        CountDownLatch leader = new CountDownLatch(1);
        CamelClusterView view = service.getView(ConsumerLock.NAMESPACE);
        CamelClusterEventListener.Leadership listener = (v, member) -> {
            if (v.getLocalMember().isLeader()) {
                leader.countDown();
            }
        };
        view.addEventListener(listener);
        boolean taken = view.getLocalMember().isLeader() || leader.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        view.removeEventListener(listener);
        if (!taken || !view.getLocalMember().isLeader()) {
            service.releaseView(view);
            return Optional.empty();
        }
        return Optional.of(new OnceLeadership(service, view));
    }

    /**
     * Whether another process holds the OS lock on {@code lockFile}: tried with a lock of our own, released at
     * once. A missing, odd or unopenable file says nothing (false): the cluster view then decides.
     * Called before this process's own view opens the file, since closing any channel on a file drops
     * every lock this process holds on it.
     */
    static boolean heldByAnotherProcess(Path lockFile) {
        if (!Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock mine = channel.tryLock();
            if (mine == null) {
                return true;
            }
            mine.release();
            return false;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            service.releaseView(view);
        } catch (Exception e) {
            throw new IllegalStateException("cannot release the consumer lock " + ConsumerLock.NAMESPACE + ": " + e.getMessage(), e);
        }
    }
}
