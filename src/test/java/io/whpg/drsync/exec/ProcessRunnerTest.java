package io.whpg.drsync.exec;

import io.whpg.drsync.testing.Requires;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hung command on the local host: the real pg_controldata blocked opening a pg_control that is a named pipe. */
class ProcessRunnerTest {
    @TempDir
    Path tmp;

    @Test
    void aHungCommandIsATimeoutNamingTheCommandNeverTheScript() throws Exception {
        Requires.postgresql();
        Path dataDir = Files.createDirectories(tmp.resolve("data/global"));
        ProcessRunner.run(List.of("mkfifo", dataDir.resolve("pg_control").toString()), null, Duration.ofSeconds(10));
        String script = "echo begin; \"/usr/lib/postgresql/15/bin/pg_controldata\" '" + dataDir.getParent()
                + "' | sed 's/^/@@cd /'; echo end # a long script a user must never see as an error message";

        long t0 = System.nanoTime();
        CommandTimeoutException e = assertThrows(CommandTimeoutException.class,
                () -> new LocalHostShell(null).run(script, Duration.ofSeconds(2)));
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertTrue(e.getMessage().contains("still running: pg_controldata"), e.getMessage());
        assertTrue(e.getMessage().startsWith("local sh script: did not finish within 2 s"), e.getMessage());
        assertFalse(e.getMessage().contains("@@cd") || e.getMessage().contains("echo"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(ms < 8000, "bounded: " + ms + " ms");
    }

    @Test
    void aTimedOutScriptIsTerminatedFirstSoItsExitTrapCleansUp() throws Exception {
        Path marker = Files.createFile(tmp.resolve("temp-dir-of-the-script"));
        String script = "trap 'rm -f \"" + marker + "\"' EXIT; trap 'exit 143' TERM; sleep 30 & wait";

        assertThrows(CommandTimeoutException.class, () -> new LocalHostShell(null).run(script, Duration.ofSeconds(1)));

        assertFalse(Files.exists(marker), "the script's EXIT trap ran");
    }
}
