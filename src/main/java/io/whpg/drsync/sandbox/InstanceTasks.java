package io.whpg.drsync.sandbox;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Building a sandbox in parallel: one task per instance on a bounded pool, and ports handed out once. */
final class InstanceTasks {
    private InstanceTasks() {
    }

    interface InstanceTask<R> {
        R run(SandboxInstance instance) throws IOException;
    }

    /** Runs {@code task} for every instance on up to {@code threads} threads; rethrows the first failure, later ones suppressed. */
    static <R> List<R> inParallel(List<SandboxInstance> instances, int threads, InstanceTask<R> task)
            throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, instances.size())), r -> {
            Thread t = new Thread(r, "sandbox-up");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (SandboxInstance i : instances) {
                futures.add(pool.submit(() -> task.run(i)));
            }
            List<R> results = new ArrayList<>();
            Throwable failure = null;
            for (Future<R> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    } else {
                        failure.addSuppressed(e.getCause());
                    }
                }
            }
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the sandbox", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A free loopback port, distinct from those already handed out (a concurrent set: primaries retry in parallel). */
    static int freePort(Set<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = SshdServer.freePort("127.0.0.1");
            if (taken.add(port)) {
                return port;
            }
        }
        throw new IOException("no free port found after 100 attempts");
    }
}
