package io.whpg.drsync.backend;

import io.whpg.drsync.config.Storage;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.RestorePointName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DR side of {@code storage.backend = "archive"}: before choosing a target, each manifest the store holds and
 * the local manifest dir does not (or holds at another size) is fetched into it, then LATEST.json. The local copies
 * are what every reader (selection, status, retention) reads; their signatures are checked there as always, so the
 * store is trusted for nothing. A manifest the consumer's retention removed is removed from the store as well
 * ({@link #removed}), so it is not fetched again.
 */
public final class ManifestSync {
    /** The registry name of the store manifests are put in and fetched from, when storage.backend is "archive". */
    public static final String STORE_BEAN = "whpgManifestStore";
    private static final Logger LOG = LoggerFactory.getLogger(ManifestSync.class);
    private final ObjectStore store;
    private final Storage storage;

    public ManifestSync(ObjectStore store, Storage storage) {
        this.store = store;
        this.storage = storage;
    }

    /** Fetches what is new; returns how many files were written. A store failure is a {@link BackendException}. */
    public int pull() {
        int fetched = 0;
        Path latest = storage.latestPath().toAbsolutePath().normalize();
        String latestName = storage.latestPath().getFileName().toString();
        for (StoredObject o : store.list(storage.remoteDir().toString())) {
            String name = o.name();
            if (!name.endsWith(".json") || name.startsWith(".") || name.equals(latestName)
                    || storage.manifestDir().resolve(name).toAbsolutePath().normalize().equals(latest)) {
                continue;
            }
            try {
                RestorePointName.validate("restore point", name.substring(0, name.length() - ".json".length()));
            } catch (IllegalArgumentException e) {
                LOG.warn("{}: not a manifest name, not fetched", store.name(o.key()));
                continue;
            }
            Path local = storage.manifestDir().resolve(name);
            if (sizeOf(local).equals(Optional.of(o.size()))) {
                continue;
            }
            fetched += fetch(o.key(), local, Optional.of(o)) ? 1 : 0;
        }
        String latestKey = storage.remoteKey(storage.latestPath());
        Optional<StoredObject> remoteLatest = store.stat(latestKey);
        if (remoteLatest.isPresent()) {
            fetched += fetch(latestKey, storage.latestPath(), remoteLatest) ? 1 : 0;
        }
        return fetched;
    }

    private boolean fetch(String key, Path local, Optional<StoredObject> expected) {
        byte[] content = store.get(key);
        expected.ifPresent(e -> Verified.check(store.name(key), content, e));
        try {
            if (Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS)
                    && Arrays.equals(Files.readAllBytes(local), content)) {
                return false;
            }
            Files.createDirectories(local.getParent());
            AtomicFiles.write(local, content);
            return true;
        } catch (IOException e) {
            throw new BackendException(local + ": cannot write the fetched copy of " + store.name(key) + ": "
                    + AtomicFiles.reason(e), e);
        }
    }

    private static Optional<Long> sizeOf(Path p) {
        try {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Optional.of(Files.size(p)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Retention removed {@code local} from the manifest dir: the store's copy goes too (never LATEST.json). */
    public void removed(Path local) {
        if (local.getParent() != null && local.getParent().equals(storage.manifestDir())
                && !local.equals(storage.latestPath())) {
            store.delete(storage.remoteKey(local));
        }
    }

}
