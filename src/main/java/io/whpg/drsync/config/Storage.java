package io.whpg.drsync.config;

import java.nio.file.Path;

/**
 * Where the publisher writes manifests and the LATEST.json pointer, and where the consumer reads them; and
 * how many of them (and of the receipts) the consumer keeps.
 */
public record Storage(Path manifestDir, Path latestPath, Keep keep) {
    public Storage(Path manifestDir, Path latestPath) {
        this(manifestDir, latestPath, new Keep(Keep.DEFAULT_COUNT, null));
    }
}
