package io.whpg.drsync.dr;

import java.time.Duration;

/** One script for one host in one step of a cycle. */
public record HostCall(String step, DrHost host, String script, Duration timeout, HostShells shells) {
}
