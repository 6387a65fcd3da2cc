package io.whpg.drsync.dr;

import io.whpg.drsync.state.Manifest;
import java.util.List;

/**
 * What a cycle will do: go to {@code manifest} (starting the instances in {@code toStart}; the others are
 * already parked exactly there), or nothing, with the status and one-line reason for the receipt or log.
 */
public record Selection(Manifest manifest, List<Integer> toStart, String status, String detail) {

    public static final String NOTHING_NEW = "nothing_new";

    public static Selection go(Manifest m, List<Integer> toStart) {
        return new Selection(m, List.copyOf(toStart), "selected", "target " + m.restorePoint());
    }

    public static Selection none(String detail) {
        return new Selection(null, List.of(), NOTHING_NEW, detail);
    }

    public static Selection refuse(Manifest m, String status, String detail) {
        return new Selection(m, List.of(), status, detail);
    }

    public boolean proceeds() {
        return manifest != null && "selected".equals(status);
    }
}
