package io.whpg.drsync.dr;

import io.whpg.drsync.exec.CommandResult;

/**
 * What a host answered to a {@link HostCall}: its output, or why it could not be reached.
 *
 * @param timedOut the host ran the script but it outlived its bound (a hung command), as opposed to an unreachable host
 */
public record HostReply(HostCall call, CommandResult result, String error, boolean timedOut, long millis) {

    public boolean ok() {
        return error == null && result != null && result.ok();
    }

    /** One line for receipts: the host and what went wrong. */
    public String problem() {
        String where = call.step() + " on " + call.host().describe() + ": ";
        if (error != null) {
            return where + error;
        }
        return where + "exit status " + result.exitCode() + ": " + result.firstErrorLine();
    }
}
