package io.whpg.drsync.route;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** How a publish or consume cycle ended: its status, one line of detail, and the receipt or manifest it wrote. */
public record CycleOutcome(String status, String detail, boolean ok, ObjectNode document) {
}
