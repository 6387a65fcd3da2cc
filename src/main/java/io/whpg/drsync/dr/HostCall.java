package io.whpg.drsync.dr;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.CommandTimeoutException;
import java.time.Duration;

/** One script for one host in one step of a cycle. */
public record HostCall(String step, DrHost host, String script, Duration timeout, HostShells shells) {

    /** Runs the script on the host's shell; a host that cannot be reached becomes a reply, not an exception. */
    public HostReply run() {
        long t0 = System.nanoTime();
        try {
            CommandResult result = shells.get(host).run(script, timeout);
            return new HostReply(this, result, null, false, (System.nanoTime() - t0) / 1_000_000);
        } catch (CommandTimeoutException e) {
            return new HostReply(this, null, e.getMessage(), true, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            return new HostReply(this, null, e.getMessage(), false, (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
