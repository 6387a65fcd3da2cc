package io.whpg.drsync.route;

import java.nio.file.Path;

/** How a publish or consume cycle ended: its status, one line of detail, and the receipt or manifest it wrote. */
public record CycleOutcome(String status, String detail, boolean ok, Path file) {
}
