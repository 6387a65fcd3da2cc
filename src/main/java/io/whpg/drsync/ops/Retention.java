package io.whpg.drsync.ops;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.state.ManifestException;
import io.whpg.drsync.state.ManifestIndex;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code storage.keep}, applied by the consumer after each cycle: it alone knows what the DR site still needs.
 * Never removed: the manifest of the current point, of both ends of a cycle in transit, LATEST.json's, the
 * newest READY one, every manifest newer than the current point (a DR site may still go there), and the
 * receipts about the current point and the newest receipt. Nothing is pruned while the DR site is not parked
 * at a known point. WAL files are never touched: their retention is the archive owner's.
 */
public final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    private static final String RECEIPT_SUFFIX = ".receipt.json";
    /** How often an idle consumer prunes (one that advances prunes after every advance). */
    public static final Duration IDLE_PRUNE_INTERVAL = Duration.ofMinutes(10);

    private final DrSyncConfig cfg;
    private final Clock clock;
    private final java.util.function.Consumer<Path> manifestRemoved;
    /** What ordering took of each manifest file, kept across prunes. */
    private final ManifestIndex index = new ManifestIndex();
    private Instant lastPrune;

    public Retention(DrSyncConfig cfg, Clock clock) {
        this(cfg, clock, p -> { });
    }

    /** {@code manifestRemoved} hears of each manifest removed (the copy in the archive's store goes too). */
    public Retention(DrSyncConfig cfg, Clock clock, java.util.function.Consumer<Path> manifestRemoved) {
        this.manifestRemoved = manifestRemoved;
        this.cfg = cfg;
        this.clock = clock;
    }

    /**
     * After a consumer cycle: prunes when it advanced (files became unneeded), otherwise at most every
     * {@link #IDLE_PRUNE_INTERVAL}, as NOT READY manifests pile up and {@code keep.days} ages files while the site has
     * nothing new; an idle cycle then does not list both stores. Returns the files removed.
     */
    public synchronized List<Path> afterCycle(boolean advanced) {
        Instant now = clock.instant();
        if (!advanced && lastPrune != null && now.isBefore(lastPrune.plus(IDLE_PRUNE_INTERVAL))) {
            return List.of();
        }
        lastPrune = now;
        return prune();
    }

    /** Prunes both stores; returns the files removed. A problem is logged in one line, the cycle is not failed. */
    public List<Path> prune() {
        List<Path> removed = new ArrayList<>();
        try {
            StateStore state = new StateStore(cfg.dr().stateDir());
            Optional<String> current = state.current();
            Optional<StateStore.Transit> transit = current.isPresent() ? Optional.empty() : state.transit();
            // what the site is parked at, or while a cycle moves it, the point it left
            Optional<String> reference = current.or(() -> transit.flatMap(StateStore.Transit::from));
            if (reference.isEmpty()) {
                return removed; // not parked at a known point: anything may still be needed
            }
            Set<String> points = new HashSet<>();
            points.add(reference.get());
            transit.ifPresent(t -> points.add(t.to()));
            removed.addAll(pruneManifests(reference, points));
            removed.addAll(pruneReceipts(points));
        } catch (IOException | RuntimeException e) {
            LOG.warn("storage.keep: pruning skipped: {}", e.getMessage());
        }
        if (!removed.isEmpty()) {
            LOG.info("storage.keep: removed {} old manifests and receipts", removed.size());
        }
        return removed;
    }

    private List<Path> pruneManifests(Optional<String> current, Set<String> points) throws IOException {
        ManifestStore store = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath()).withIndex(index);
        List<Path> files = store.listNewestFirst();
        Set<Path> keep = new HashSet<>();
        points.forEach(p -> keep.add(store.pathOf(p)));
        store.latest().map(l -> l.path("restore_point").asText(null)).filter(n -> n != null)
                .ifPresent(n -> keep.add(store.pathOf(n)));
        boolean newerThanCurrent = current.isPresent();
        boolean readySeen = false;
        for (Path p : files) {
            if (current.isPresent() && p.equals(store.pathOf(current.get()))) {
                newerThanCurrent = false;
            }
            if (newerThanCurrent) {
                keep.add(p);
            }
            if (!readySeen && isReady(p)) {
                keep.add(p);
                readySeen = true;
            }
        }
        if (current.isPresent() && newerThanCurrent) {
            return List.of(); // the current point's manifest is not in the list: order unknown, keep all
        }
        List<Path> removed = remove(RetentionPlan.toRemove(stored(files), keep, cfg.storage().keep(), clock.instant()));
        removed.forEach(manifestRemoved);
        return removed;
    }

    private List<Path> pruneReceipts(Set<String> points) throws IOException {
        Path dir = cfg.dr().receiptsDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(RECEIPT_SUFFIX)
                    && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
        Set<Path> keep = new HashSet<>();
        for (Path p : files) {
            String name = p.getFileName().toString();
            if (points.stream().anyMatch(pt -> name.startsWith(pt + "."))) {
                keep.add(p);
            }
        }
        List<RetentionPlan.Stored> stored = new ArrayList<>(stored(files));
        stored.sort(Comparator.comparing(RetentionPlan.Stored::writtenAt).reversed());
        return remove(RetentionPlan.toRemove(stored, keep, cfg.storage().keep(), clock.instant()));
    }

    private static boolean isReady(Path manifest) {
        try {
            return ManifestStore.readFile(manifest).ready();
        } catch (ManifestException e) {
            return false;
        }
    }

    private static List<RetentionPlan.Stored> stored(List<Path> files) {
        List<RetentionPlan.Stored> out = new ArrayList<>();
        for (Path p : files) {
            try {
                Instant at = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
                out.add(new RetentionPlan.Stored(p, at));
            } catch (IOException e) {
                // gone meanwhile, or unreadable: not ours to judge now
            }
        }
        return out;
    }

    private static List<Path> remove(List<Path> files) {
        List<Path> removed = new ArrayList<>();
        for (Path p : files) {
            try {
                if (Files.deleteIfExists(p)) { // a symlink is removed itself, never what it points to
                    removed.add(p);
                }
            } catch (IOException e) {
                LOG.warn("storage.keep: cannot remove {}: {}", p, e.getMessage());
            }
        }
        return removed;
    }
}
