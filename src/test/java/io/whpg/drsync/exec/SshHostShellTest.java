package io.whpg.drsync.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The frame a remote login shell parses, checked with the shells a DR host may log in with. */
class SshHostShellTest {
    @Test
    void theRemoteCommandRunsTheScriptVerbatimUnderATimeout() {
        String script = "printf '%s|' \"it's\" '$HOME' 'a;b' \"$(printf 'x y')\"; echo; exit 7";
        String command = SshHostShell.remoteCommand(script, Duration.ofMillis(2500));

        assertEquals("exec timeout -k 1 2.500 sh -c " + ShellQuote.quote(script), command);
        for (String loginShell : List.of("sh", "bash")) {
            CommandResult result = ProcessRunner.run(List.of(loginShell, "-c", command), null, Duration.ofSeconds(10));
            assertEquals(new CommandResult(7, "it's|$HOME|a;b|x y|\n", ""), result, loginShell);
        }
    }
}
