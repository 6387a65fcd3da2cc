package io.whpg.drsync.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a local command to completion with a hard time bound, optionally as another OS user.
 * When this JVM is root and {@code asUser} names someone else, the command goes through
 * {@code runuser -u USER --}, since PostgreSQL's tools refuse to run as root.
 */
public final class ProcessRunner {
    /** One reader thread per stream: a shared pool of one would deadlock on a full stderr pipe. */
    private static final ExecutorService DRAINERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "process-output");
        t.setDaemon(true);
        return t;
    });

    private static final long PIPE_GRACE_SECONDS = 5;
    private static final long TERM_GRACE_MILLIS = 1000;

    private ProcessRunner() {
    }

    public static CommandResult run(List<String> argv, String asUser, Duration timeout) {
        return run(argv, asUser, timeout, Map.of(), null);
    }

    public static CommandResult run(List<String> argv, String asUser, Duration timeout,
                                    Map<String, String> env, Path workDir) {
        List<String> command = wrapForUser(argv, asUser);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                String hung = hungCommands(process.toHandle());
                stop(process);
                throw new CommandTimeoutException(label(argv), timeout, hung);
            }
            return new CommandResult(process.exitValue(), collect(out), collect(err));
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + argv.get(0), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * TERM to the command and everything it started, then KILL to whatever is left after {@link #TERM_GRACE_MILLIS}
     * (as the SSH side's {@code timeout -k 1}): a host script's EXIT trap gets to remove its private temp dir.
     */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(TERM_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** How a command is named in messages: a script is never quoted whole, only as the kind of shell that ran it. */
    static String label(List<String> argv) {
        if (argv.size() >= 2 && "-c".equals(argv.get(1))) {
            return "local " + baseName(argv.get(0)) + " script";
        }
        String line = String.join(" ", argv).replaceAll("\\s+", " ");
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

    /**
     * The programs still running below {@code root} that have no child of their own: the command a script
     * waits on when its bound passes (say {@code pg_controldata}), by base name, at most three.
     */
    static String hungCommands(ProcessHandle root) {
        List<ProcessHandle> all = root.descendants().toList();
        return all.stream().filter(p -> all.stream().noneMatch(c -> c.parent().map(p::equals).orElse(false)))
                .map(p -> p.info().command().map(ProcessRunner::baseName).orElse("pid " + p.pid()))
                .distinct().limit(3).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The command line that runs {@code argv} as {@code asUser}, for callers that start a process themselves. */
    public static List<String> wrapForUser(List<String> argv, String asUser) {
        if (asUser == null || !OsUser.isRoot() || asUser.equals(OsUser.current())) {
            return argv;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", asUser, "--"));
        wrapped.addAll(argv);
        return wrapped;
    }

    /**
     * Output once the command has exited; bounded, since a daemon it started (a postmaster's logger)
     * may hold the pipe open for good.
     */
    private static String collect(CompletableFuture<String> output) throws InterruptedException {
        try {
            return output.get(PIPE_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return "(output not closed " + PIPE_GRACE_SECONDS + " s after exit: a background process holds it)";
        } catch (java.util.concurrent.ExecutionException e) {
            return "";
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, DRAINERS);
    }
}
