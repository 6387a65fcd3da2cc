package io.whpg.drsync.config;

import java.nio.file.Path;
import java.util.List;

/** The DR cluster: its software, where state and receipts live, and every instance (coordinator and segments). */
public record Dr(Path gpHome, String pgBin, Path stateDir, Path receiptsDir, List<Instance> instances,
        String lockDir) {
    public Dr {
        instances = List.copyOf(instances);
    }
}
