package io.whpg.drsync.route;

import io.whpg.drsync.archive.ArchiveException;
import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.backend.ManifestSync;
import io.whpg.drsync.backend.ObjectStore;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Primary;
import io.whpg.drsync.dr.CycleFailure;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.primary.ArchiverStatus;
import io.whpg.drsync.primary.FailureText;
import io.whpg.drsync.primary.IdleRule;
import io.whpg.drsync.primary.InstanceCheck;
import io.whpg.drsync.primary.InstanceFacts;
import io.whpg.drsync.primary.KeptConnections;
import io.whpg.drsync.primary.PrimaryInstance;
import io.whpg.drsync.primary.PublishCycle;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.pg.TimelineHistory;
import io.whpg.drsync.state.ManifestException;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.RestorePointName;
import io.whpg.drsync.state.SigningKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The publish route's processors; SQL itself runs through camel-jdbc endpoints in {@link PublishRoute}. */
public final class PublishSteps {
    public static final String CYCLE = "whpgPublishCycle";
    public static final String NAME_HEADER = "WhpgRestorePoint";
    public static final String LSN_HEADER = "WhpgLsn";
    public static final String DEADLINE = "whpgArchiveDeadline";
    static final String SIGNED_STORE = "whpgSignedManifests";
    private static final String POINT_REQUESTED = "whpgPointRequested";
    /** Between archive polls: each costs one query per instance on a kept connection and one archive listing. */
    private static final long ARCHIVE_POLL_MILLIS = 50;
    private static final Logger LOG = LoggerFactory.getLogger(PublishSteps.class);

    private final DrSyncConfig config;
    private final WalArchive archive;
    private final Clock clock;
    private final ManifestStore manifests;
    /** By content id, for the process's life: the daemon's cycles reuse them. */
    private final Map<Integer, KeptConnections> instanceConnections = new ConcurrentHashMap<>();

    public PublishSteps(DrSyncConfig config, WalArchive archive, Clock clock) {
        this.config = config;
        this.archive = archive;
        this.clock = clock;
        this.manifests = new ManifestStore(config.storage().manifestDir(), config.storage().latestPath());
    }

    /** This cycle's store, writing with the signing key read at its start. */
    private static ManifestStore signed(Exchange e) {
        return e.getProperty(SIGNED_STORE, ManifestStore.class);
    }

    static PublishCycle cycle(Exchange e) {
        return e.getProperty(CYCLE, PublishCycle.class);
    }

    /** Connections to one server kept for reuse ({@link KeptConnections}); utility mode as {@link #dataSource}. */
    public static KeptConnections keptConnections(Primary p, String host, int port, boolean utility) {
        return new KeptConnections(dataSource(p, host, port, utility), host + ":" + port, p.connectTimeoutSecs());
    }

    /** Closes the connections kept to every instance (the runtime is stopping). */
    public void close() {
        instanceConnections.values().forEach(KeptConnections::close);
    }

    /** A connection to one instance alone (Greenplum utility mode, options from primary.utility_options). */
    public static DataSource dataSource(Primary p, String host, int port, boolean utility) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(p.db());
        ds.setUser(p.user());
        ds.setConnectTimeout(p.connectTimeoutSecs());
        ds.setApplicationName("whpg_dr_sync");
        // Session settings go in the startup packet, not as SET statements after it: a Greenplum coordinator
        // dispatches a SET to every segment, so one segment down would fail the connection to the coordinator
        // itself, hiding which instance is down (the per-instance checks name it).
        ds.setAssumeMinServerVersion("9.0");
        if (p.passwordEnv() != null && System.getenv(p.passwordEnv()) != null) {
            ds.setPassword(System.getenv(p.passwordEnv()));
        }
        if (utility && !p.utilityOptions().isEmpty()) {
            ds.setOptions(p.utilityOptions());
        }
        return ds;
    }

    /**
     * Names the restore point and reserves the name in the manifest dir before anything is created: a name
     * that has a manifest, or that another publisher reserved, is refused (names are never reused, and two
     * publishers never make two restore points of one name).
     */
    public void begin(Exchange e) throws IOException {
        PrivateKey key;
        try {
            key = SigningKeys.publisherKey(config.storage().signing());
        } catch (IOException x) {
            throw new CycleFailure(SigningKeys.SIGNING_KEY_UNUSABLE, x.getMessage());
        }
        e.setProperty(SIGNED_STORE, new ManifestStore(config.storage().manifestDir(), config.storage().latestPath(),
                key, null).withRemote(e.getContext().getRegistry().lookupByNameAndType(ManifestSync.STORE_BEAN, ObjectStore.class),
                        config.storage()::remoteKey));
        Instant now = clock.instant();
        String name = RestorePointName.forInstant(config.behavior().restorePointPrefix(), now);
        if (!manifests.reserve(name)) {
            throw new CycleFailure(PublishCycle.RESTORE_POINT_EXISTS, "restore point " + name
                    + " is taken: it has a manifest or another publisher reserved it (" + manifests.pathOf(name)
                    + "); names are never reused");
        }
        e.setProperty(CYCLE, new PublishCycle(name, now));
        e.getIn().setHeader(NAME_HEADER, name);
    }

    /** Rows of gp_segment_configuration; registers one utility-mode DataSource per acting primary. */
    public void readSegmentConfiguration(Exchange e) {
        List<PrimaryInstance> acting = new ArrayList<>();
        for (Map<?, ?> row : rows(e)) {
            PrimaryInstance i = new PrimaryInstance(((Number) row.get("content")).intValue(),
                    String.valueOf(row.get("hostname")), row.get("address") == null ? "" : String.valueOf(row.get("address")),
                    ((Number) row.get("port")).intValue());
            acting.add(i);
            KeptConnections kept = instanceConnections.computeIfAbsent(i.gpSegmentId(), seg -> {
                KeptConnections k = keptConnections(config.primary(), i.host(), i.port(), true);
                e.getContext().getRegistry().bind(i.dataSourceName(), k);
                return k;
            });
            if (kept.pointAt(i.host() + ":" + i.port(), () -> dataSource(config.primary(), i.host(), i.port(), true))) {
                LOG.info("{}: the acting primary moved here; connections to its old address closed", i.label());
            }
        }
        cycle(e).setInstances(acting);
    }

    /** One exchange per instance for the split: its DataSource name, segment id and restore LSN as headers. */
    public void perInstance(Exchange e) {
        PublishCycle c = cycle(e);
        List<Map<String, Object>> bodies = new ArrayList<>();
        for (PrimaryInstance i : c.instances()) {
            Lsn lsn = c.restoreLsns().get(i.gpSegmentId());
            bodies.add(Map.of(BodyHeaders.DATA_SOURCE, i.dataSourceName(), BodyHeaders.SEGMENT, i.gpSegmentId(),
                    LSN_HEADER, lsn == null ? "0/0" : lsn.toString()));
        }
        e.getIn().setBody(bodies);
    }

    public void readRestorePoint(Exchange e) {
        List<String> texts = new ArrayList<>();
        for (Map<?, ?> row : rows(e)) {
            texts.add(String.valueOf(row.values().iterator().next()));
        }
        cycle(e).setRestorePointRows(texts);
        cycle(e).lap("restore_point", clock.instant());
        LOG.info("created restore point {} on {} instances", cycle(e).restorePoint(), texts.size());
    }

    /** Before any restore point: refuses the cycle on a wrong segment size, archiving off or a failing archiver. */
    public void checkInstance(Exchange e) {
        PrimaryInstance i = cycle(e).instance(e.getIn().getHeader(BodyHeaders.SEGMENT, Integer.class));
        InstanceCheck check = InstanceCheck.of(firstRow(e));
        Optional<CycleFailure> refusal = check.refusal(i, config.behavior().walSegmentSizeMb());
        if (refusal.isPresent()) {
            throw refusal.get();
        }
    }

    /** Where the instance's WAL is before this cycle writes anything: the idle rule's input. */
    public void readProbe(Exchange e) {
        cycle(e).setProbe(e.getIn().getHeader(BodyHeaders.SEGMENT, Integer.class), IdleRule.Probe.of(firstRow(e)));
    }

    /** No instance changed since the previous READY point: no new point, no WAL switch (README "Idle clusters"). */
    public boolean unchanged(Exchange e) {
        PublishCycle c = cycle(e);
        c.lap("checks", clock.instant());
        if (c.unchangedSince().isPresent()) {
            return true;
        }
        LOG.debug("a new point is needed: {}", String.join("; ", c.changes()));
        return false;
    }

    /**
     * The heartbeat of an idle cluster: LATEST.json names the previous READY point again, with the check's time
     * (signed like every LATEST.json); this cycle's reserved name is released, no point having been made.
     */
    public void heartbeat(Exchange e) throws IOException {
        PublishCycle c = cycle(e);
        Manifest m = c.unchangedSince().orElseThrow();
        Instant now = clock.instant();
        signed(e).writeHeartbeat(m, now);
        manifests.release(c.restorePoint());
        String detail = m.restorePoint() + " READY, unchanged since it was published (checked at " + now
                + "): no new restore point, no WAL switch";
        LOG.info(detail);
        e.getIn().setBody(new CycleOutcome("unchanged", detail, true, manifests.pathOf(m.restorePoint())));
    }

    public void readFacts(Exchange e) {
        Map<?, ?> row = firstRow(e);
        int seg = e.getIn().getHeader(BodyHeaders.SEGMENT, Integer.class);
        cycle(e).addFacts(new InstanceFacts(seg, String.valueOf(row.get("wal_file")),
                String.valueOf(row.get("system_identifier")), ((Number) row.get("wal_segment_size")).longValue()));
    }

    public boolean hasGpSwitchWal(Exchange e) {
        return ((Number) firstRow(e).get("n")).intValue() > 0;
    }

    public void readGpSwitchWal(Exchange e) {
        for (Map<?, ?> row : rows(e)) {
            cycle(e).addSwitch(((Number) row.get("gp_segment_id")).intValue(), Lsn.parse(String.valueOf(row.get("lsn"))),
                    "gp_switch_wal()");
        }
    }

    public void readInstanceSwitch(Exchange e) {
        int seg = e.getIn().getHeader(BodyHeaders.SEGMENT, Integer.class);
        cycle(e).addSwitch(seg, Lsn.parse(String.valueOf(firstRow(e).get("lsn"))), "pg_switch_wal() per instance");
    }

    /** The NOT READY manifest goes out at once, for the audit trail, then LATEST.json names it. */
    public void publishNotReady(Exchange e) throws IOException {
        PublishCycle c = cycle(e);
        c.lap("wal_files_and_switch", clock.instant());
        Manifest m = c.manifest(false, clock.instant());
        ManifestStore signed = signed(e);
        signed.write(m);
        manifests.release(m.restorePoint());
        signed.writeLatest(m);
        c.lap("publish_not_ready", clock.instant());
        e.setProperty(DEADLINE, clock.instant().plus(Duration.ofSeconds(config.behavior().publisherWaitArchiveSecs())));
    }

    /** The archiver's row, the archive's listing and, after a timeline change since the previous point, its history file. */
    public void readArchiver(Exchange e) {
        Map<?, ?> row = firstRow(e);
        int seg = e.getIn().getHeader(BodyHeaders.SEGMENT, Integer.class);
        PublishCycle c = cycle(e);
        Object failed = row.get("last_failed_wal");
        c.setArchiver(new ArchiverStatus(seg, (String) row.get("last_archived_wal"),
                String.valueOf(row.get("last_archived_time")), failed == null ? null : String.valueOf(failed),
                ArchiverStatus.doneFiles((String) row.get("done_files"))));
        c.setSettings(seg, InstanceCheck.of(row));
        Set<String> listing = archive.list(seg);
        c.setArchiveListing(seg, listing);
        Optional<String> history = c.historyToRead(seg);
        if (history.isPresent() && listing.contains(history.get())) {
            int timeline = Integer.parseInt(history.get().substring(0, 8), 16);
            c.setHistory(seg, TimelineHistory.parse(timeline, archive.read(seg, history.get())));
        }
    }

    /** The newest READY manifest, which this point's READY must be reachable from (unreadable ones are skipped). */
    public void readPreviousReady(Exchange e) throws IOException {
        for (Path p : manifests.listNewestFirst()) {
            try {
                Manifest m = ManifestStore.readFile(p);
                if (m.ready()) {
                    cycle(e).setPrevious(m);
                    break;
                }
            } catch (ManifestException skipped) {
                LOG.warn("previous manifest skipped: {}", skipped.getMessage());
            }
        }
        cycle(e).lap("start", clock.instant());
    }

    /** Keep polling while a needed file is not proven archived and the deadline has not passed. */
    public boolean awaitingArchive(Exchange e) {
        if (cycle(e).notYetArchived().isEmpty()) {
            return false;
        }
        return clock.instant().isBefore(e.getProperty(DEADLINE, Instant.class));
    }

    /** Between archive polls (not before the first): the archiver works in its own time. */
    public void pollPause(Exchange e) throws InterruptedException {
        if (e.getProperty(Exchange.LOOP_INDEX, 0, Integer.class) > 0) {
            Thread.sleep(ARCHIVE_POLL_MILLIS);
        }
    }

    /** READY with the evidence, or left NOT READY naming what is missing; exit status follows. */
    public void finish(Exchange e) throws IOException {
        PublishCycle c = cycle(e);
        c.lap("archive_wait", clock.instant());
        List<String> pending = c.notYetArchived();
        Manifest m = c.manifest(pending.isEmpty(), clock.instant());
        signed(e).write(m);
        signed(e).writeLatest(m);
        if (pending.isEmpty()) {
            LOG.info("published {} READY", m.restorePoint());
            e.getIn().setBody(new CycleOutcome("ready", m.restorePoint() + " READY", true, manifests.pathOf(m.restorePoint())));
        } else {
            String detail = m.restorePoint() + " left NOT READY after " + config.behavior().publisherWaitArchiveSecs()
                    + " s: not yet archived: " + String.join(", ", pending);
            LOG.error(detail);
            e.getIn().setBody(new CycleOutcome("not_ready", detail, false, manifests.pathOf(m.restorePoint())));
        }
    }

    /**
     * One line: our own failure as it is, or the root cause of anything else, naming the instance whose step
     * failed (the split's sub-exchange carries its content id) or the coordinator for its own SQL.
     */
    public void failed(Exchange e) {
        Exception cause = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        CycleFailure ours = FailureText.find(cause, CycleFailure.class);
        ArchiveException store = ours == null ? FailureText.find(cause, ArchiveException.class) : null;
        String status = ours != null ? ours.status() : store != null ? ArchiveException.STATUS : PublishCycle.PRIMARY_ERROR;
        String detail = ours != null ? ours.getMessage() : store != null ? store.getMessage()
                : where(e, cause) + FailureText.rootCause(cause);
        LOG.error("publish failed: {}: {}", status, detail);
        e.getIn().setBody(new CycleOutcome(status, detail, false, null));
        releaseUnused(e);
    }

    /** Right before gp_create_restore_point: from here on the name may be in some instance's WAL. */
    public void pointRequested(Exchange e) {
        cycle(e).lap("checkpoint", clock.instant());
        e.setProperty(POINT_REQUESTED, true);
    }

    /**
     * A cycle that failed before asking for its restore point leaves nothing behind, not even its reserved name;
     * once asked for, the name stays reserved (some instance may hold a point of that name: never reused).
     */
    private void releaseUnused(Exchange e) {
        PublishCycle c = cycle(e);
        if (c == null || e.getProperty(POINT_REQUESTED, false, Boolean.class)) {
            return;
        }
        try {
            manifests.release(c.restorePoint());
        } catch (IOException x) {
            LOG.warn("reservation of {} not removed: {}", c.restorePoint(), x.getMessage());
        }
    }

    private String where(Exchange e, Exception cause) {
        CamelExchangeException split = FailureText.find(cause, CamelExchangeException.class);
        Integer seg = split == null || split.getExchange() == null ? null
                : split.getExchange().getIn().getHeader(BodyHeaders.SEGMENT, Integer.class);
        PublishCycle c = cycle(e);
        if (seg != null && c != null && c.instance(seg) != null) {
            return c.instance(seg).label() + ": ";
        }
        if (FailureText.find(cause, SQLException.class) != null) {
            return "coordinator (" + config.primary().host() + ":" + config.primary().port() + "): ";
        }
        return "";
    }

    @SuppressWarnings("unchecked")
    private static List<Map<?, ?>> rows(Exchange e) {
        Object body = e.getIn().getBody();
        return body instanceof List<?> l ? (List<Map<?, ?>>) l : List.of();
    }

    private static Map<?, ?> firstRow(Exchange e) {
        List<Map<?, ?>> rows = rows(e);
        if (rows.isEmpty()) {
            throw new CycleFailure(PublishCycle.PRIMARY_ERROR, "query returned no row");
        }
        return rows.get(0);
    }
}
