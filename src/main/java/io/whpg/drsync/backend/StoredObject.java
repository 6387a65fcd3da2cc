package io.whpg.drsync.backend;

import java.util.Optional;

/**
 * One object of a store: its key, size, and checksum where the store keeps one ({@code md5:<hex>} from an S3
 * ETag of a single-part upload; none for SFTP and POSIX, where the size is what is compared).
 */
public record StoredObject(String key, long size, Optional<String> checksum) {

    public String name() {
        return ObjectStore.baseName(key);
    }
}
