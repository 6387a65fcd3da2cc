package io.whpg.drsync.state;

import io.whpg.drsync.pg.Lsn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What ordering the manifest files takes of each one (its first restore LSN and created_at, or why it is invalid),
 * kept across a daemon's cycles by file identity: device, inode, size, mtime and ctime, one {@code lstat} per file and
 * cycle. A file unchanged since it was read is not read, parsed or verified again, so an idle cycle beside
 * {@code storage.keep}'s 500 signed manifests lists a directory instead of checking 500 signatures. Every write to a
 * file changes its ctime (which no user can set) and a replaced file has another inode, so a changed file is read
 * again; a file that cannot be stat'ed is read every time. Another trust (a public key swapped, unsigned manifests
 * allowed or not) starts over. Holds one small summary per file, never a manifest.
 */
public final class ManifestIndex {
    /** A valid manifest's sort key, or an invalid file's one-line problem and status. */
    public record Summary(Lsn firstLsn, Instant createdAt, String problem, String status) {
        static Summary of(Manifest m) {
            return new Summary(m.firstLsn(), m.createdAtUtc(), null, null);
        }

        static Summary invalid(String problem, String status) {
            return new Summary(null, null, problem, status);
        }

        public boolean valid() {
            return problem == null;
        }
    }

    private static final String IDENTITY = "unix:dev,ino,size,lastModifiedTime,ctime";
    private final Map<Path, Map.Entry<Map<String, Object>, Summary>> known = new HashMap<>();
    private ManifestTrust trust;

    /** The summaries read under another trust (null: signatures not checked) are forgotten. */
    synchronized void readWith(ManifestTrust current) {
        if (!Objects.equals(current, trust)) {
            known.clear();
            trust = current;
        }
    }

    /** {@code p}'s summary: the one kept while the file is unchanged, else {@code read}'s (then kept). */
    synchronized Summary summary(Path p, Function<Path, Summary> read) {
        Map<String, Object> identity = identity(p);
        Map.Entry<Map<String, Object>, Summary> kept = known.get(p);
        if (identity != null && kept != null && kept.getKey().equals(identity)) {
            return kept.getValue();
        }
        Summary s = read.apply(p);
        if (identity != null) {
            known.put(p, Map.entry(identity, s));
        } else {
            known.remove(p);
        }
        return s;
    }

    /** Forgets the files no longer listed. */
    synchronized void retainOnly(Collection<Path> listed) {
        known.keySet().retainAll(new HashSet<>(listed));
    }

    synchronized int size() {
        return known.size();
    }

    private static Map<String, Object> identity(Path p) {
        try {
            return Files.readAttributes(p, IDENTITY, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
