package io.whpg.drsync.primary;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.dr.CycleFailure;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.TimelineHistory;
import io.whpg.drsync.pg.WalFile;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.RestorePointName;
import io.whpg.drsync.state.SegmentPoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One publish cycle on the primary: the restore point's name, each instance's LSN, timeline and WAL
 * file, and the evidence that the files the DR needs are archived. Plain logic; the publish route feeds it.
 */
public final class PublishCycle {
    public static final String RESTORE_POINT_EXISTS = "restore_point_exists";
    public static final String PRIMARY_ERROR = "primary_error";
    /** A record as text, e.g. {@code (-1,0/49FD4F8)}: a smallint content id and a pg_lsn. */
    private static final Pattern ROW = Pattern.compile("\\((-?[0-9]{1,5}),([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8})\\)");

    private final String restorePoint;
    private final Instant createdAt;
    private final Map<Integer, PrimaryInstance> instances = new TreeMap<>();
    private final Map<Integer, Lsn> restoreLsns = new TreeMap<>();
    private final Map<Integer, InstanceFacts> facts = new ConcurrentSkipListMap<>();
    private final Map<Integer, Lsn> switchLsns = new ConcurrentSkipListMap<>();
    private final Map<Integer, ArchiverStatus> archiver = new ConcurrentSkipListMap<>();
    private final Map<Integer, Set<String>> archiveListing = new ConcurrentSkipListMap<>();
    private final Map<Integer, InstanceCheck> settings = new ConcurrentSkipListMap<>();
    private final Map<Integer, TimelineHistory> histories = new ConcurrentSkipListMap<>();
    private final Map<Integer, SegmentPoint> previous = new TreeMap<>();
    private final Map<Integer, Lsn> previousSwitch = new TreeMap<>();
    private final Map<Integer, IdleRule.Probe> probes = new ConcurrentSkipListMap<>();
    private Manifest previousManifest;
    private final Map<String, Long> stepMillis = new LinkedHashMap<>();
    private Instant lapStart;
    private String previousPoint;
    /** Filled from parallel per-instance queries. */
    private volatile String switchMethod = "none";

    public PublishCycle(String restorePoint, Instant createdAt) {
        this.restorePoint = RestorePointName.validate("restore point", restorePoint);
        this.createdAt = createdAt;
        this.lapStart = createdAt;
    }

    public String restorePoint() {
        return restorePoint;
    }

    public List<PrimaryInstance> instances() {
        return List.copyOf(instances.values());
    }

    /** The acting primary with this content id, or null. */
    public PrimaryInstance instance(int gpSegmentId) {
        return instances.get(gpSegmentId);
    }

    public Map<Integer, Lsn> restoreLsns() {
        return restoreLsns;
    }

    public void setInstances(List<PrimaryInstance> acting) {
        if (acting.isEmpty() || acting.stream().noneMatch(i -> i.gpSegmentId() == -1)) {
            throw new CycleFailure(PRIMARY_ERROR, "gp_segment_configuration lists no acting coordinator (content -1, role 'p')");
        }
        acting.forEach(i -> instances.put(i.gpSegmentId(), i));
    }

    /** Rows of {@code (gp_create_restore_point(name))::text}, e.g. {@code (-1,0/49FD4F8)}: works on every GP7 build. */
    public void setRestorePointRows(List<String> rows) {
        for (String row : rows) {
            Matcher m = ROW.matcher(row == null ? "" : row.strip());
            if (!m.matches()) {
                throw new CycleFailure(PRIMARY_ERROR, "gp_create_restore_point returned an unexpected row \"" + row
                        + "\": expected (gp_segment_id,restore_lsn)");
            }
            int seg = Integer.parseInt(m.group(1));
            if (restoreLsns.put(seg, Lsn.parse(m.group(2))) != null) {
                throw new CycleFailure(PRIMARY_ERROR, "gp_create_restore_point returned segment " + seg + " twice");
            }
        }
        if (!restoreLsns.keySet().equals(instances.keySet())) {
            throw new CycleFailure(PRIMARY_ERROR, "gp_create_restore_point returned segments " + restoreLsns.keySet()
                    + " but gp_segment_configuration has acting primaries " + instances.keySet());
        }
    }

    /** Cross-checks the instance's own pg_walfile_name against our WAL math before trusting either. */
    public void addFacts(InstanceFacts f) {
        Lsn lsn = restoreLsns.get(f.gpSegmentId());
        if (lsn == null) {
            throw new CycleFailure(PRIMARY_ERROR, "instance " + f.gpSegmentId() + ": no restore LSN was returned for it");
        }
        int timeline;
        try {
            timeline = WalFile.parse(f.walFile(), f.walSegmentSize()).timeline();
        } catch (IllegalArgumentException e) {
            throw new CycleFailure(PRIMARY_ERROR, "instance " + f.gpSegmentId() + ": pg_walfile_name(" + lsn + "): "
                    + e.getMessage());
        }
        String ours = WalFile.containing(lsn, timeline, f.walSegmentSize()).name();
        if (!ours.equals(f.walFile())) {
            throw new CycleFailure(PRIMARY_ERROR, "instance " + f.gpSegmentId() + ": pg_walfile_name(" + lsn + ") = "
                    + f.walFile() + " but the WAL math gives " + ours);
        }
        facts.put(f.gpSegmentId(), f);
    }

    public void addSwitch(int gpSegmentId, Lsn switchEnd, String method) {
        switchLsns.put(gpSegmentId, switchEnd);
        switchMethod = method;
    }

    public long walSegmentSize() {
        Set<Long> sizes = new LinkedHashSet<>();
        facts.values().forEach(f -> sizes.add(f.walSegmentSize()));
        if (sizes.size() != 1) {
            throw new CycleFailure(PRIMARY_ERROR, "instances report different wal_segment_size values " + sizes);
        }
        return sizes.iterator().next();
    }

    /**
     * The files the DR must read to stop at the restore point: through the one holding the next record's
     * first byte; after a WAL switch, through the switch, since the next record may span a segment.
     */
    public List<String> neededFiles(int gpSegmentId) {
        InstanceFacts f = facts.get(gpSegmentId);
        int tli = WalFile.parse(f.walFile(), f.walSegmentSize()).timeline();
        return WalFile.between(restoreLsns.get(gpSegmentId), through(gpSegmentId), tli, f.walSegmentSize()).stream()
                .map(WalFile::name).toList();
    }

    private Lsn through(int gpSegmentId) {
        Lsn lsn = restoreLsns.get(gpSegmentId);
        Lsn through = switchLsns.getOrDefault(gpSegmentId, lsn.plus(1));
        return through.isBefore(lsn.plus(1)) ? lsn.plus(1) : through;
    }

    /** The newest READY manifest before this cycle: READY must prove a DR copy parked there can replay to this point. */
    public void setPrevious(Manifest m) {
        previousPoint = m.restorePoint();
        previousManifest = m;
        m.segments().forEach(p -> previous.put(p.gpSegmentId(), p));
        m.evidence().path("instances").properties().forEach(n -> {
            String lsn = n.getValue().path("switch_lsn").asText(null);
            if (lsn != null && n.getKey().matches("-?[0-9]{1,5}")) {
                previousSwitch.put(Integer.parseInt(n.getKey()), Lsn.parse(lsn));
            }
        });
    }

    /** The previous READY point of this very instance (same system identifier), or null. */
    private SegmentPoint previousOf(int gpSegmentId) {
        SegmentPoint p = previous.get(gpSegmentId);
        InstanceFacts f = facts.get(gpSegmentId);
        return p == null || f == null || !p.systemIdentifier().equals(f.systemIdentifier()) ? null : p;
    }

    /** What the instance said before this cycle wrote anything: where its WAL is now. */
    public void setProbe(int gpSegmentId, IdleRule.Probe p) {
        probes.put(gpSegmentId, p);
    }

    /**
     * The previous READY manifest when no instance changed since it ({@link IdleRule}), the same acting primaries
     * included; empty otherwise (the reasons are in {@link #changes()}).
     */
    public Optional<Manifest> unchangedSince() {
        return previousManifest != null && changes().isEmpty() ? Optional.of(previousManifest) : Optional.empty();
    }

    /** One line per instance that changed since the previous READY point (or cannot be shown unchanged), and why. */
    public List<String> changes() {
        List<String> out = new ArrayList<>();
        if (previousManifest == null) {
            return List.of("no previous READY point");
        }
        if (!previous.keySet().equals(instances.keySet())) {
            return List.of("acting primaries " + instances.keySet() + " differ from the previous point's " + previous.keySet());
        }
        for (Integer seg : instances.keySet()) {
            IdleRule.Probe p = probes.get(seg);
            Optional<String> why = p == null ? Optional.of("not probed")
                    : IdleRule.whyChanged(previous.get(seg), previousSwitch.get(seg), p, previousManifest.walSegmentSize());
            why.ifPresent(w -> out.add(instances.get(seg).label() + ": " + w));
        }
        return out;
    }

    /** The timeline history file to read from the archive for this instance, while not yet read. */
    public Optional<String> historyToRead(int gpSegmentId) {
        InstanceFacts f = facts.get(gpSegmentId);
        int tli = WalFile.parse(f.walFile(), f.walSegmentSize()).timeline();
        return histories.containsKey(gpSegmentId) ? Optional.empty() : Continuity.historyNeeded(previousOf(gpSegmentId), tli);
    }

    public void setHistory(int gpSegmentId, TimelineHistory h) {
        histories.put(gpSegmentId, h);
    }

    /** Every file from the previous READY point's file through this point's switch (bounded: {@link Continuity#MAX_FILES}). */
    public Continuity.Range continuity(int gpSegmentId) {
        InstanceFacts f = facts.get(gpSegmentId);
        int tli = WalFile.parse(f.walFile(), f.walSegmentSize()).timeline();
        return Continuity.files(previousOf(gpSegmentId), restoreLsns.get(gpSegmentId), through(gpSegmentId), tli,
                histories.get(gpSegmentId), f.walSegmentSize());
    }

    /** archive_mode, archive_command and pg_stat_archiver as read while waiting: why a file is missing. */
    public void setSettings(int gpSegmentId, InstanceCheck c) {
        settings.put(gpSegmentId, c);
    }

    public void setArchiver(ArchiverStatus s) {
        archiver.put(s.gpSegmentId(), s);
    }

    public void setArchiveListing(int gpSegmentId, Set<String> names) {
        archiveListing.put(gpSegmentId, names);
    }

    /**
     * One line per instance whose continuity is not proven: its first file not proven archived (reported done by
     * the archiver AND present; a history file: present), why, and how many more follow.
     */
    public List<String> notYetArchived() {
        List<String> pending = new ArrayList<>();
        for (Integer seg : instances.keySet()) {
            ArchiverStatus s = archiver.get(seg);
            Set<String> listing = archiveListing.getOrDefault(seg, Set.of());
            long size = facts.get(seg).walSegmentSize();
            List<String> missing = new ArrayList<>();
            for (String needed : continuity(seg).files()) {
                boolean segment = WalFile.kindOf(needed).orElse(null) == WalFile.Kind.SEGMENT;
                if (!listing.contains(needed) || segment && !reportedDone(seg, s, needed, size)) {
                    missing.add(needed);
                }
            }
            if (!missing.isEmpty()) {
                String first = missing.get(0);
                pending.add(instances.get(seg).label() + ": " + first + " not proven archived: "
                        + Continuity.why(first, listing.contains(first), s, settings.get(seg), size)
                        + (missing.size() > 1 ? "; " + (missing.size() - 1) + " more after it" : ""));
            }
        }
        return pending;
    }

    /**
     * The archiver reported {@code needed} done: its statistics reached it or, for a file of the instance's current
     * timeline, its archive_status marks it done (an older timeline's file may be marked done by a walreceiver or a
     * restore from the archive while this instance was a mirror, without this instance ever archiving it).
     */
    private boolean reportedDone(int seg, ArchiverStatus s, String needed, long size) {
        if (s == null) {
            return false;
        }
        if (Continuity.reported(s.lastArchivedWal(), needed, size)) {
            return true;
        }
        return s.markedDone().contains(needed)
                && WalFile.parse(needed, size).timeline() == WalFile.parse(facts.get(seg).walFile(), size).timeline();
    }

    /** Milliseconds since the previous lap (the first: since the cycle began), under {@code step} in the evidence. */
    public void lap(String step, Instant now) {
        synchronized (stepMillis) {
            stepMillis.put(step, Math.max(0, Duration.between(lapStart, now).toMillis()));
            lapStart = now;
        }
    }

    public Manifest manifest(boolean ready, Instant checkedAt) {
        List<SegmentPoint> points = new ArrayList<>();
        long segSize = walSegmentSize();
        ObjectNode evidence = Json.object();
        evidence.put("checked_at_utc", checkedAt.toString());
        evidence.put("switch_wal", switchMethod);
        ObjectNode per = evidence.putObject("instances");
        for (Integer seg : instances.keySet()) {
            PrimaryInstance i = instances.get(seg);
            InstanceFacts f = facts.get(seg);
            Lsn lsn = restoreLsns.get(seg);
            int tli = WalFile.parse(f.walFile(), segSize).timeline();
            points.add(new SegmentPoint(seg, lsn, tli, f.walFile(), f.systemIdentifier(), i.host(), i.port()));
            ObjectNode n = per.putObject(String.valueOf(seg));
            n.put("restore_lsn", lsn.toString());
            n.put("timeline", tli);
            n.put("wal_file", f.walFile());
            n.put("hostname", i.hostname());
            n.put("address", i.address());
            Continuity.Range range = continuity(seg);
            if (previousOf(seg) != null) {
                n.put("continuity_from", previousPoint + " " + range.files().get(0));
            }
            range.note().ifPresent(note -> n.put("continuity_note", note));
            ArrayNode needed = n.putArray("wal_files_needed");
            neededFiles(seg).forEach(needed::add);
            if (switchLsns.containsKey(seg)) {
                n.put("switch_lsn", switchLsns.get(seg).toString());
            }
            ArchiverStatus s = archiver.get(seg);
            if (s != null) {
                n.put("last_archived_wal", s.lastArchivedWal());
                n.put("archived_at", s.lastArchivedTime());
                if (s.lastFailedWal() != null) {
                    n.put("last_failed_wal", s.lastFailedWal());
                }
                List<String> byMarker = range.files().stream()
                        .filter(w -> s.markedDone().contains(w) && !Continuity.reported(s.lastArchivedWal(), w, segSize)).toList();
                if (!byMarker.isEmpty()) {
                    byMarker.forEach(n.putArray("archive_status_done")::add);
                }
            }
        }
        synchronized (stepMillis) {
            stepMillis.forEach(evidence.putObject("step_ms")::put);
        }
        if (!ready) {
            ArrayNode missing = evidence.putArray("not_yet_archived");
            notYetArchived().forEach(missing::add);
        }
        return new Manifest(restorePoint, createdAt, ready, segSize, points, evidence);
    }
}
