package io.whpg.drsync.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/** The server running on a data dir, found only through its postmaster.pid: never by process name. */
final class Postmaster {
    static final String PID_FILE = "postmaster.pid";

    private Postmaster() {
    }

    /** The running postmaster of {@code dataDir}, if its pid file names a live postgres process. */
    static Optional<ProcessHandle> running(Path dataDir) {
        OptionalLong pid = pidFromFile(dataDir);
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong()).filter(Postmaster::isLivePostgres);
    }

    static OptionalLong pidFromFile(Path dataDir) {
        try {
            return parsePid(Files.readString(dataDir.resolve(PID_FILE), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dataDir.resolve(PID_FILE) + ": " + e.getMessage(), e);
        }
    }

    /** The first line of postmaster.pid is the postmaster's pid; an empty or torn file names nobody. */
    static OptionalLong parsePid(String pidFile) {
        String first = pidFile.lines().findFirst().orElse("").strip();
        if (!first.matches("[1-9][0-9]{0,9}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(first));
    }

    /** Alive, not a zombie, and a postgres executable: a stale pid file whose pid was reused names someone else. */
    static boolean isLivePostgres(ProcessHandle process) {
        if (!process.isAlive() || isZombie(process.pid())) {
            return false;
        }
        return process.info().command()
                .map(c -> c.endsWith("/postgres") || c.endsWith("/postmaster"))
                .orElse(false);
    }

    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Field 3 follows the parenthesised command name, which may itself contain spaces.
            return stat.substring(stat.lastIndexOf(')') + 1).strip().startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }
}
