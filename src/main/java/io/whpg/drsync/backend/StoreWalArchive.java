package io.whpg.drsync.backend;

import io.whpg.drsync.archive.WalArchive;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntFunction;

/** The WAL archive in an {@link ObjectStore}: one directory (key prefix) per content id, as {@code archive.layout} names it. */
public final class StoreWalArchive implements WalArchive {
    private final ObjectStore store;
    private final IntFunction<String> dirOf;

    public StoreWalArchive(ObjectStore store, IntFunction<String> dirOf) {
        this.store = store;
        this.dirOf = dirOf;
    }

    public ObjectStore store() {
        return store;
    }

    /** The key of one instance's archived file. */
    public String keyOf(int gpSegmentId, String fileName) {
        if (fileName.contains("/") || fileName.startsWith(".")) {
            throw new IllegalArgumentException("archive file name: invalid \"" + fileName + "\"");
        }
        return ObjectStore.join(dirOf.apply(gpSegmentId), fileName);
    }

    @Override
    public Set<String> list(int gpSegmentId) {
        Set<String> names = new HashSet<>();
        store.list(dirOf.apply(gpSegmentId)).forEach(o -> names.add(o.name()));
        return names;
    }

    @Override
    public String read(int gpSegmentId, String fileName) {
        return new String(store.get(keyOf(gpSegmentId, fileName)), StandardCharsets.UTF_8);
    }

    @Override
    public byte[] readRange(int gpSegmentId, String fileName, long offset, int length) {
        return store.getRange(keyOf(gpSegmentId, fileName), offset, length);
    }
}
