package io.whpg.drsync.config;

import java.nio.file.Path;

/**
 * Where the publisher writes manifests and the LATEST.json pointer, and where the consumer reads them; how
 * many of them (and of the receipts) the consumer keeps; and the keys that sign and verify them. With
 * {@code inArchiveBackend} the same paths also name them in the archive's backend (S3, SFTP): the publisher puts
 * each one there after writing it locally, the consumer fetches them into its local copy of the paths.
 */
public record Storage(Path manifestDir, Path latestPath, Keep keep, Signing signing, boolean inArchiveBackend) {
    public Storage(Path manifestDir, Path latestPath, Keep keep, Signing signing) {
        this(manifestDir, latestPath, keep, signing, false);
    }

    public Storage(Path manifestDir, Path latestPath) {
        this(manifestDir, latestPath, new Keep(Keep.DEFAULT_COUNT, null), Signing.none());
    }
}
