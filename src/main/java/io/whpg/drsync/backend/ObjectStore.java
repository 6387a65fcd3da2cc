package io.whpg.drsync.backend;

import java.util.List;
import java.util.Optional;

/**
 * The one backend contract of the publisher and the consumer, for WAL files and for manifests and LATEST.json alike.
 * A key is a {@code /}-separated path ({@code /wal/-1/000000010000000000000003}); every failure is a
 * {@link BackendException} whose one-line message names the backend, the object and the cause
 * ({@code s3://bucket/wal/-1/X: 403 AccessDenied}).
 */
public interface ObjectStore extends AutoCloseable {

    /** How a user reads the object's place: {@code s3://bucket/key}, {@code sftp://host/dir/file}, {@code /dir/file}. */
    String name(String key);

    /**
     * Every object directly in {@code dir}, complete whatever the store's page size (S3 lists 1,000 keys a page);
     * an empty list when the directory does not exist or holds nothing.
     */
    List<StoredObject> list(String dir);

    /** The object's size and, where the store has one, its checksum; empty when it does not exist. */
    Optional<StoredObject> stat(String key);

    /** The whole object (manifests, LATEST.json, history files, a WAL file being staged). */
    byte[] get(String key);

    /** Up to {@code length} bytes from {@code offset} (fewer only at the object's end). */
    byte[] getRange(String key, long offset, int length);

    /** Writes the object atomically: a reader sees the old content or the whole new one (S3 PUT; SFTP temp + rename). */
    void put(String key, byte[] content);

    /**
     * A URL a DR host can GET the object from by itself for {@code ttl} (S3: a presigned URL), so WAL goes from the
     * store to every host in parallel instead of through the consumer; empty when the store has none (SFTP).
     */
    default java.util.Optional<java.net.URI> presignedGet(String key, java.time.Duration ttl) {
        return java.util.Optional.empty();
    }

    /** Removes the object; absent is not an error. */
    void delete(String key);

    /**
     * Proves at start that the store answers: the endpoint resolves, the bucket or directory {@code dir} is reachable
     * and the credentials are valid. Throws with a message naming what failed.
     */
    void check(String dir);

    @Override
    default void close() {
    }

    /** The last path component of a key. */
    static String baseName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** {@code dir + "/" + name} without a doubled separator. */
    static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }
}
