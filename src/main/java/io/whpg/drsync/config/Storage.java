package io.whpg.drsync.config;

import java.nio.file.Path;

/**
 * Where the publisher writes manifests and the LATEST.json pointer, and where the consumer reads them; how
 * many of them (and of the receipts) the consumer keeps; and the keys that sign and verify them. With
 * {@code inArchiveBackend} the same paths also name them in the archive's backend (S3, SFTP): the publisher puts
 * each one there after writing it locally, the consumer fetches them into its local copy of the paths.
 *
 * @param remoteDir with {@code storage.backend = "archive"}, where manifests and LATEST.json (by its file name) live in
 *                  the archive's store ({@code storage.remote_dir}, default {@code manifest_dir}); null otherwise
 */
public record Storage(Path manifestDir, Path latestPath, Keep keep, Signing signing, Path remoteDir) {
    public Storage(Path manifestDir, Path latestPath, Keep keep, Signing signing) {
        this(manifestDir, latestPath, keep, signing, null);
    }

    /** Manifests also travel through the archive's store (storage.backend "archive"). */
    public boolean inArchiveBackend() {
        return remoteDir != null;
    }

    /** The key of a local manifest or LATEST.json in the store: the remote dir and the file name. */
    public String remoteKey(Path local) {
        return remoteDir.resolve(local.getFileName().toString()).toString();
    }

    public Storage(Path manifestDir, Path latestPath) {
        this(manifestDir, latestPath, new Keep(Keep.DEFAULT_COUNT, null), Signing.none());
    }
}
