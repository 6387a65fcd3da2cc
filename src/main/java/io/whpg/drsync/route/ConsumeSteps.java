package io.whpg.drsync.route;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.archive.ArchiveException;
import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.backend.Backends;
import io.whpg.drsync.backend.ManifestSync;
import io.whpg.drsync.backend.ObjectStore;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.dr.ConsumeCycle;
import io.whpg.drsync.dr.CycleFailure;
import io.whpg.drsync.dr.DrHost;
import io.whpg.drsync.dr.HostCall;
import io.whpg.drsync.dr.HostReply;
import io.whpg.drsync.exec.HostShell;
import io.whpg.drsync.primary.FailureText;
import io.whpg.drsync.state.ManifestIndex;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.ManifestTrust;
import io.whpg.drsync.state.SigningKeys;
import io.whpg.drsync.state.ReceiptStore;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The consume route's processors: each hands the exchange's {@link ConsumeCycle} to one step. */
public final class ConsumeSteps {
    public static final String CYCLE = "whpgConsumeCycle";
    public static final String TARGET_HEADER = "WhpgTarget";
    private static final Logger LOG = LoggerFactory.getLogger(ConsumeSteps.class);

    private final DrSyncConfig config;
    private final Function<DrHost, HostShell> shellOpener;
    private final WalArchive archive;
    private final Clock clock;
    private final StateStore state;
    private final ReceiptStore receipts;
    /** What ordering took of each manifest file, kept for the daemon's life (an idle cycle reads none again). */
    private final ManifestIndex manifestIndex = new ManifestIndex();

    public ConsumeSteps(DrSyncConfig config, Function<DrHost, HostShell> shellOpener, WalArchive archive, Clock clock) {
        this.config = config;
        this.shellOpener = shellOpener;
        this.archive = archive;
        this.clock = clock;
        this.state = new StateStore(config.dr().stateDir());
        this.receipts = new ReceiptStore(config.dr().receiptsDir());
    }

    private static ConsumeCycle cycle(Exchange e) {
        return e.getProperty(CYCLE, ConsumeCycle.class);
    }

    @SuppressWarnings("unchecked")
    private static List<HostReply> replies(Exchange e) {
        return e.getIn().getBody(List.class);
    }

    public void begin(Exchange e) {
        Optional<String> target = Optional.ofNullable(e.getIn().getHeader(TARGET_HEADER, String.class));
        ConsumeCycle c = new ConsumeCycle(config, target, shellOpener, clock);
        e.setProperty(CYCLE, c);
        c.readState(state);
    }

    public void probeCalls(Exchange e) {
        e.getIn().setBody(cycle(e).probeCalls());
    }

    public void readProbes(Exchange e) {
        cycle(e).readProbes(replies(e), archive);
    }

    /** A running DR server's floor: whether it is still in recovery, and how far it has replayed. */
    public static final String SQL_FLOOR =
            "SELECT pg_is_in_recovery() AS in_recovery, pg_last_wal_replay_lsn()::text AS replay_lsn";

    /** Registry name of a DR instance's DataSource, for the SQL floor of a server found running. */
    public static String dataSourceName(int gpSegmentId) {
        return "dr-gpseg" + gpSegmentId;
    }

    /** One body per refused instance whose server is up: its DataSource and segment id, as split headers. */
    public List<Map<String, Object>> sqlFloorQueries(Exchange e) {
        return cycle(e).runningRefused().stream()
                .map(seg -> Map.<String, Object>of(BodyHeaders.DATA_SOURCE, dataSourceName(seg), BodyHeaders.SEGMENT, seg))
                .toList();
    }

    public void recordSqlFloor(Exchange e) {
        Map<?, ?> row = (Map<?, ?>) e.getIn().getBody(List.class).get(0);
        cycle(e).sqlFloor(e.getIn().getHeader(BodyHeaders.SEGMENT, Integer.class), Boolean.TRUE.equals(row.get("in_recovery")),
                String.valueOf(row.get("replay_lsn")));
    }

    public void sqlFloorUnavailable(Exchange e) {
        Exception cause = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        cycle(e).sqlFloorUnavailable(e.getIn().getHeader(BodyHeaders.SEGMENT, Integer.class),
                cause == null ? "unknown" : String.valueOf(cause.getMessage()).lines().findFirst().orElse(""));
    }

    public void refuseUnparked(Exchange e) {
        cycle(e).refuseUnparked();
    }

    public boolean mustSettle(Exchange e) {
        return cycle(e).mustSettle();
    }

    public void settleCalls(Exchange e) {
        e.getIn().setBody(cycle(e).settleCalls());
    }

    public void checkSettled(Exchange e) {
        cycle(e).checkSettled(replies(e));
    }

    /**
     * The public key is read every cycle (a .pub copied there later needs no restart); without one, and unless
     * unsigned manifests are allowed, the cycle fails naming the fixes. Allowing them is warned every cycle.
     */
    public void select(Exchange e) {
        ManifestTrust trust;
        try {
            trust = SigningKeys.consumerTrust(config.storage().signing());
        } catch (IOException x) {
            throw new CycleFailure(SigningKeys.VERIFY_KEY_UNUSABLE, x.getMessage());
        }
        SigningKeys.unsignedWarning(trust).ifPresent(LOG::warn);
        ObjectStore remote = e.getContext().getRegistry().lookupByNameAndType(ManifestSync.STORE_BEAN, ObjectStore.class);
        if (remote != null) {
            int fetched = new ManifestSync(remote, config.storage()).pull();
            LOG.debug("{} manifest file(s) fetched from {}", fetched, remote.name(config.storage().remoteDir().toString()));
        }
        cycle(e).select(new ManifestStore(config.storage().manifestDir(), config.storage().latestPath(), null, trust)
                .withIndex(manifestIndex));
    }

    public boolean hasWork(Exchange e) {
        return cycle(e).hasWork();
    }

    public void preflight(Exchange e) {
        cycle(e).preflight(archive);
    }

    /** archive.backend s3 / sftp: the needed WAL checked in the store and staged beside each instance to start. */
    public void stageCalls(Exchange e) {
        e.getIn().setBody(cycle(e).stageCalls(
                e.getContext().getRegistry().lookupByNameAndType(Backends.STORE_BEAN, ObjectStore.class)));
    }

    public void checkStaged(Exchange e) {
        cycle(e).checkStaged(replies(e));
    }

    public void unstageCalls(Exchange e) {
        e.getIn().setBody(cycle(e).unstageCalls());
    }

    public void checkUnstaged(Exchange e) {
        cycle(e).checkUnstaged(replies(e));
    }

    public void prepareCalls(Exchange e) {
        e.getIn().setBody(cycle(e).prepareCalls());
    }

    public void checkPrepared(Exchange e) {
        cycle(e).checkPrepared(replies(e));
    }

    /** The departure is recorded in the state dir before the first instance starts. */
    public void startCalls(Exchange e) {
        ConsumeCycle c = cycle(e);
        c.depart(state);
        e.getIn().setBody(c.startCalls());
    }

    public void checkStarted(Exchange e) {
        cycle(e).checkStarted(replies(e));
    }

    public void awaitCalls(Exchange e) {
        e.getIn().setBody(cycle(e).awaitCalls());
    }

    public void verify(Exchange e) {
        cycle(e).verify(replies(e));
    }

    public void commit(Exchange e) {
        ConsumeCycle c = cycle(e);
        Path receipt = c.commit(receipts, state); // on failure, failed() stops what is running and closes the cycle
        try (c) {
            String detail = "advanced to " + c.selection().manifest().restorePoint() + ": every instance verified parked";
            LOG.info("{} ({} SSH sessions, receipt {})", detail, c.sshSessions(), receipt);
            e.getIn().setBody(new CycleOutcome(ConsumeCycle.SUCCESS, detail, true, receipt));
        }
    }

    public void nothingNew(Exchange e) {
        ConsumeCycle c = cycle(e);
        try (c) {
            List<String> skipped = c.skippedManifests();
            String detail = "nothing to do: " + c.selection().detail() + upToDate() + (skipped.isEmpty() ? ""
                    : "; " + skipped.size() + " invalid manifest(s) skipped, first: " + skipped.get(0));
            LOG.info("{} ({} SSH sessions)", detail, c.sshSessions());
            e.getIn().setBody(new CycleOutcome(c.selection().status(), detail, true, null));
        }
    }

    /** {@code , up to date: the primary was unchanged since it at T} when parked where the publisher's heartbeat says so. */
    private String upToDate() {
        try {
            Optional<String> current = state.current();
            Optional<ObjectNode> latest = new ManifestStore(config.storage().manifestDir(), config.storage().latestPath()).latest();
            return current.isEmpty() || latest.isEmpty() ? ""
                    : ManifestStore.unchangedCheckedAt(latest.get(), current.get())
                            .map(t -> ", up to date: the primary was unchanged since it at " + t).orElse("");
        } catch (IOException unreadable) {
            return "";
        }
    }

    /**
     * A failed cycle: stop what it started (instances stay parked), then write a receipt that names the
     * status and the cause. The state file is not touched.
     */
    public void failed(Exchange e) throws IOException {
        Exception cause = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        // the cause is often wrapped by Camel ("Exception occurred during execution on the exchange"): ours, or the root
        CycleFailure ours = cause == null ? null : FailureText.find(cause, CycleFailure.class);
        String status = ours != null ? ours.status()
                : cause != null && FailureText.find(cause, ArchiveException.class) != null ? ArchiveException.STATUS
                : "internal_error";
        String detail = cause == null ? "unknown failure" : ours != null ? ours.getMessage() : FailureText.userMessage(cause);
        ConsumeCycle c = cycle(e);
        if (c == null) {
            LOG.error("cycle failed before it began: {}", detail, cause);
            e.getIn().setBody(new CycleOutcome(status, detail, false, null));
            return;
        }
        try (c) {
            List<HostCall> stops = c.stopCalls();
            if (!stops.isEmpty()) {
                List<?> stopped;
                try (ProducerTemplate t = e.getContext().createProducerTemplate()) {
                    stopped = t.requestBody(HostFanOut.URI, stops, List.class);
                }
                stopped.stream().map(HostReply.class::cast).filter(r -> !r.ok())
                        .forEach(r -> LOG.error("could not stop: {}", r.problem()));
            }
            Path receipt = null;
            try {
                receipt = c.fail(receipts, status, detail);
            } catch (IOException | RuntimeException w) {
                detail = detail + "; no receipt written: " + w.getMessage();
            }
            LOG.error("cycle failed, state not advanced{}: {}: {} ({} SSH sessions, receipt {})", c.departed()
                    ? " (instances had started: the DR cluster is not parked at a verified restore point until a cycle succeeds)"
                    : "", status, detail, c.sshSessions(), receipt);
            e.getIn().setBody(new CycleOutcome(status, detail, false, receipt));
        }
    }
}
