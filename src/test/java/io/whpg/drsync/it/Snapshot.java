package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.route.ConsumerLock;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every file of the state dir, the receipts, the manifests, the WAL archive and every DR data dir, with
 * its size and modification time: two snapshots that differ show which file a run wrote, created or removed.
 * The consumer lock's own files are left out (a running daemon renews its heartbeat there).
 */
record Snapshot(Map<String, String> files) {

    static Snapshot of(Sandbox sb, DrSyncConfig cfg) throws IOException {
        return of(cfg, sb.drCopies().stream().map(SandboxInstance::dataDir).toList());
    }

    /** The same for any cluster, given its DR data dirs (e.g. a {@link GreenplumLab}'s). */
    static Snapshot of(DrSyncConfig cfg, List<Path> drDataDirs) throws IOException {
        Map<String, String> files = new TreeMap<>();
        List<Path> roots = new ArrayList<>(List.of(cfg.dr().stateDir(), cfg.dr().receiptsDir(),
                cfg.storage().manifestDir(), cfg.storage().latestPath(), cfg.archive().archiveDir()));
        roots.addAll(drDataDirs);
        for (Path root : roots) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> !p.getFileName().toString().startsWith(ConsumerLock.NAMESPACE)).forEach(p -> {
                    try {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        files.put(p.toString(), a.isDirectory() ? "dir" : a.size() + " bytes, modified " + a.lastModifiedTime());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        return new Snapshot(files);
    }

    /** The files that differ between this snapshot and {@code later}: written, created or removed. */
    List<String> changesUntil(Snapshot later) {
        List<String> changes = new ArrayList<>();
        files.forEach((p, v) -> {
            String now = later.files.get(p);
            if (now == null) {
                changes.add("removed " + p);
            } else if (!now.equals(v) && !"dir".equals(v)) {
                changes.add("changed " + p);
            }
        });
        later.files.keySet().stream().filter(p -> !files.containsKey(p)).forEach(p -> changes.add("created " + p));
        return changes;
    }

    void assertNothingChanged(Sandbox sb, DrSyncConfig cfg, String what) throws IOException {
        assertEquals(List.of(), changesUntil(of(sb, cfg)), what);
    }
}
