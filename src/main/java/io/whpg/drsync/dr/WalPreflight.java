package io.whpg.drsync.dr;

import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.TimelineHistory;
import io.whpg.drsync.pg.WalFile;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.SegmentPoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Before anything starts: every WAL file an instance will replay, from where its replay begins to the
 * record after its restore point, must be in the archive, on the right timelines. A missing file would
 * otherwise leave the instance waiting forever with no error (FACTS).
 */
public final class WalPreflight {
    private WalPreflight() {
    }

    /** The timeline history file replay must read first, when the target lies on another timeline than the floor. */
    public static Optional<String> historyNeeded(Floor floor, SegmentPoint target) {
        return floor.timeline() == target.timeline() ? Optional.empty()
                : Optional.of(TimelineHistory.fileName(target.timeline()));
    }

    /** The files replay reads: up to the one holding the first byte after the restore point. */
    public static List<String> needed(Floor floor, SegmentPoint target, long segmentSize, WalArchive archive) {
        Lsn from = floor.replayFrom();
        Lsn through = target.restoreLsn().plus(1);
        List<String> names = new ArrayList<>();
        if (floor.timeline() == target.timeline()) {
            for (WalFile f : WalFile.between(from.plus(1), through, target.timeline(), segmentSize)) {
                names.add(f.name());
            }
            return names;
        }
        String historyName = TimelineHistory.fileName(target.timeline());
        names.add(historyName);
        TimelineHistory history = TimelineHistory.parse(target.timeline(), archive.read(target.gpSegmentId(), historyName));
        for (WalFile f : WalFile.between(from.plus(1), through, history, segmentSize)) {
            names.add(f.name());
        }
        return names;
    }

    /**
     * The files replay reads plus the WAL segment names of the publisher's list (it runs through its WAL switch: the
     * record after the point may span a segment), each once, in that order; linear in both lists.
     */
    public static Set<String> withPublished(List<String> needed, Iterable<String> published) {
        Set<String> all = new LinkedHashSet<>(needed);
        for (String name : published) {
            if (WalFile.kindOf(name).orElse(null) == WalFile.Kind.SEGMENT) {
                all.add(name);
            }
        }
        return all;
    }

    /** The needed files absent from {@code listing}, in replay order. */
    public static List<String> missing(Collection<String> needed, Set<String> listing) {
        return needed.stream().filter(n -> !listing.contains(n)).toList();
    }

    /** One instance's preflight: the WAL it needs (sorted; empty when its history file is missing) and what is wrong. */
    public record Check(Optional<List<String>> needed, Optional<String> problem) {
    }

    /**
     * Instance {@code seg} replaying from {@code floor} to its point in {@code m}: its timeline history (when the
     * target is on another timeline) and every WAL file it reads, plus the publisher's list, must be in the archive.
     */
    public static Check check(int seg, Floor floor, Manifest m, WalArchive archive) {
        SegmentPoint target = m.segment(seg).orElseThrow();
        Set<String> listing = archive.list(seg);
        Optional<String> history = historyNeeded(floor, target);
        if (history.isPresent() && !listing.contains(history.get())) {
            return new Check(Optional.empty(), Optional.of("instance " + seg + ": timeline history " + history.get()
                    + " missing from the archive (its floor is on timeline " + floor.timeline() + ", the target on "
                    + target.timeline() + "): cannot tell which WAL files lead there"));
        }
        List<String> published = new ArrayList<>();
        m.evidence().path("instances").path(String.valueOf(seg)).path("wal_files_needed").forEach(n -> published.add(n.asText()));
        Set<String> needed = withPublished(needed(floor, target, m.walSegmentSize(), archive), published);
        List<String> missing = missing(needed, listing);
        return new Check(Optional.of(needed.stream().sorted().toList()), missing.isEmpty() ? Optional.empty()
                : Optional.of("instance " + seg + ": " + missing.size() + " of " + needed.size()
                        + " WAL files missing from the archive: " + abbreviate(missing)));
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 10 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 10)) + ", ... (" + (names.size() - 10) + " more)";
    }
}
