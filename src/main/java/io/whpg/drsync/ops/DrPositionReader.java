package io.whpg.drsync.ops;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestException;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads {@link DrPosition} from the state dir and the manifest dir. A READY manifest never changes, so it is
 * read once and remembered (scrapes and health checks come every few seconds); NOT READY ones are read again.
 */
public final class DrPositionReader {
    private final StateStore state;
    private final ManifestStore manifests;
    private final Map<Path, DrPosition.Published> ready = new ConcurrentHashMap<>();

    public DrPositionReader(DrSyncConfig cfg) {
        this.state = new StateStore(cfg.dr().stateDir());
        this.manifests = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
    }

    public DrPosition read() {
        Optional<String> point;
        Optional<String> problem = Optional.empty();
        try {
            point = state.current();
            if (point.isEmpty()) {
                // while a cycle moves the instances the state names no point: the lag is that of the point left
                point = state.transit().flatMap(StateStore.Transit::from);
            }
        } catch (IOException e) {
            point = Optional.empty();
            problem = Optional.of("state unreadable: " + e.getMessage());
        }
        List<DrPosition.Published> published = new ArrayList<>();
        try {
            List<Path> files = manifests.listNewestFirst();
            ready.keySet().retainAll(files);
            for (Path p : files) {
                DrPosition.Published known = ready.get(p);
                if (known == null) {
                    known = readOne(p);
                }
                if (known != null) {
                    published.add(known);
                }
            }
        } catch (IOException e) {
            problem = problem.or(() -> Optional.of("manifest directory unreadable: " + e.getMessage()));
        }
        return DrPosition.of(point, upToDate(point, published), problem);
    }

    /**
     * The publisher's heartbeat (LATEST.json: unchanged since the current point, checked at T) makes the current
     * point as fresh as T: the primary had nothing newer then, so the lag counts from T.
     */
    private List<DrPosition.Published> upToDate(Optional<String> point, List<DrPosition.Published> published) {
        Optional<Instant> checked = point.flatMap(this::latestHeartbeat);
        if (checked.isEmpty()) {
            return published;
        }
        Instant t = checked.get();
        return published.stream().map(m -> m.restorePoint().equals(point.get()) && m.ready() && t.isAfter(m.createdAt())
                ? new DrPosition.Published(m.restorePoint(), t, true) : m).toList();
    }

    private Optional<Instant> latestHeartbeat(String point) {
        try {
            return manifests.latest().flatMap(l -> ManifestStore.unchangedCheckedAt(l, point));
        } catch (IOException unreadable) {
            return Optional.empty();
        }
    }

    private DrPosition.Published readOne(Path p) {
        try {
            Manifest m = ManifestStore.readFile(p);
            DrPosition.Published pub = new DrPosition.Published(m.restorePoint(), m.createdAtUtc(), m.ready());
            if (m.ready()) {
                ready.put(p, pub);
            }
            return pub;
        } catch (ManifestException e) {
            return null; // a broken manifest is never a target; the consumer's receipts name it
        }
    }
}
