package io.whpg.drsync.config;

import java.nio.file.Path;

/** Where the publisher writes manifests and the LATEST.json pointer, and where the consumer reads them. */
public record Storage(Path manifestDir, Path latestPath) {
}
