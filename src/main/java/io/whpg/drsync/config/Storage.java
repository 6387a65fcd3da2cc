package io.whpg.drsync.config;

import java.nio.file.Path;

/**
 * Where the publisher writes manifests and the LATEST.json pointer, and where the consumer reads them; how
 * many of them (and of the receipts) the consumer keeps; and the keys that sign and verify them.
 */
public record Storage(Path manifestDir, Path latestPath, Keep keep, Signing signing) {
    public Storage(Path manifestDir, Path latestPath) {
        this(manifestDir, latestPath, new Keep(Keep.DEFAULT_COUNT, null), Signing.none());
    }
}
