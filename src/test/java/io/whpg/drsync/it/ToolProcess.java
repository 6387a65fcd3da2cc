package io.whpg.drsync.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The tool as a separate JVM, as users run it ({@code java -jar}, the jar failsafe names in
 * {@code WHPG_DR_SYNC_JAR}; the test classpath when run from an IDE), with DEBUG logging so each step's
 * end shows on stderr. A test can wait for a line and then kill it with SIGKILL: a crash at that step.
 */
final class ToolProcess implements AutoCloseable {
    private static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    private final Process process;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    private ToolProcess(Process process) {
        this.process = process;
        this.outReader = reader(process.getInputStream(), out);
        this.errReader = reader(process.getErrorStream(), err);
    }

    static ToolProcess start(String... args) {
        return start(List.of(), args);
    }

    /** With extra JVM options, e.g. {@code -Dwhpg.home=DIR} for the routes/ directory the launcher would pass. */
    static ToolProcess start(List<String> jvmOptions, String... args) {
        List<String> argv = new ArrayList<>(List.of(javaBin()));
        argv.addAll(JVM_OPTIONS);
        argv.addAll(jvmOptions);
        String jar = System.getenv("WHPG_DR_SYNC_JAR");
        if (jar != null && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(jar))) {
            argv.addAll(List.of("-jar", jar));
        } else {
            argv.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.whpg.drsync.cli.WhpgDrSync"));
        }
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("WHPG_LOG_LEVEL", "DEBUG");
        try {
            return new ToolProcess(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
    }

    /** Runs to the end (bounded) and returns the exit code. */
    static ToolProcess run(Duration timeout, String... args) {
        ToolProcess p = start(args);
        p.waitFor(timeout);
        return p;
    }

    private static String javaBin() {
        return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Thread reader(InputStream in, List<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (sink) {
                        sink.add(line);
                        sink.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process was killed: its pipes close
            }
        }, "tool-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    long pid() {
        return process.pid();
    }

    /** Waits for a stderr line matching {@code which}; false if the process ended or the time ran out first. */
    boolean awaitLine(Predicate<String> which, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (err) {
            while (true) {
                for (; seen < err.size(); seen++) {
                    if (which.test(err.get(seen))) {
                        return true;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !errReader.isAlive())) {
                    return false;
                }
                err.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
            }
        }
    }

    /** SIGKILL: no shutdown hook, no finally block, no flush runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        outReader.join(5000);
        errReader.join(5000);
    }

    /** SIGTERM, as systemd stops a service: the running cycle ends or stops safely; returns the exit code. */
    int terminate(Duration timeout) {
        process.destroy();
        return waitFor(timeout);
    }

    boolean alive() {
        return process.isAlive();
    }

    int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError("tool did not end within " + timeout + ":\n" + output());
            }
            outReader.join(5000);
            errReader.join(5000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    int exitCode() {
        return process.exitValue();
    }

    String stdout() {
        synchronized (out) {
            return String.join("\n", out);
        }
    }

    String stderr() {
        synchronized (err) {
            return String.join("\n", err);
        }
    }

    String output() {
        return stdout() + "\n" + stderr();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
