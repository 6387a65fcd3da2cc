package io.whpg.drsync.sandbox;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.pg.ControlData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** One sandbox instance's server seen from outside: its status (pid, pg_controldata's state) and a sure stop. */
final class InstanceControl {
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    private static final Map<String, String> PG_ENV = Map.of("LC_ALL", "C", "LANG", "C");

    /** Where the PostgreSQL tools run (a directory the service user can enter). */
    private final Path workDir;

    InstanceControl(Path workDir) {
        this.workDir = workDir;
    }

    SandboxStatus.InstanceStatus statusOf(SandboxInstance i, SandboxStatus.Role role) {
        Optional<ProcessHandle> pm = Postmaster.running(i.dataDir());
        OptionalLong pid = pm.map(h -> OptionalLong.of(h.pid())).orElse(OptionalLong.empty());
        return new SandboxStatus.InstanceStatus(i.contentId(), role, i.port(), i.dataDir(), pm.isPresent(), pid,
                clusterState(i));
    }

    private String clusterState(SandboxInstance i) {
        if (!Files.isDirectory(i.dataDir())) {
            return "no data dir";
        }
        CommandResult r = ProcessRunner.run(List.of(Sandbox.PG_BIN.resolve("pg_controldata").toString(), "-D",
                i.dataDir().toString()), i.osUser(), Duration.ofSeconds(30), PG_ENV, workDir);
        if (!r.ok()) {
            return "pg_controldata failed: " + r.firstErrorLine();
        }
        try {
            return ControlData.parse(r.stdout()).clusterState();
        } catch (IllegalArgumentException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /**
     * {@code pg_ctl stop -m fast}, then SIGKILL for any of the postmaster's processes still alive; nothing when
     * no server runs on the instance's data dir.
     */
    void stop(SandboxInstance i) throws IOException {
        Optional<ProcessHandle> postmaster = Postmaster.running(i.dataDir());
        if (postmaster.isEmpty()) {
            return;
        }
        List<ProcessHandle> family = Stream.concat(postmaster.stream(), postmaster.get().descendants()).toList();
        try {
            ProcessRunner.run(List.of(Sandbox.PG_BIN.resolve("pg_ctl").toString(), "stop", "-D", i.dataDir().toString(),
                    "-m", "fast", "-w", "-t", "30"), i.osUser(), PG_CTL_TIMEOUT, PG_ENV, workDir);
        } catch (RuntimeException e) {
            // pg_ctl hung or failed to run: the kill below still ends the server.
        }
        if (awaitExit(family, STOP_WAIT)) {
            return;
        }
        family.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(family, STOP_WAIT)) {
            throw new IOException(i.name() + " (" + i.dataDir() + "): processes "
                    + family.stream().filter(ProcessHandle::isAlive).map(h -> Long.toString(h.pid())).toList()
                    + " still alive after SIGKILL");
        }
    }

    private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (processes.stream().anyMatch(h -> h.isAlive() && !Postmaster.isZombie(h.pid()))) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
