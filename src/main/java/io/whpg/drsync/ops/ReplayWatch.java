package io.whpg.drsync.ops;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.dr.ConsumeCycle;
import io.whpg.drsync.dr.Selection;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.route.ConsumeSteps;
import io.whpg.drsync.route.PublishSteps;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Progress while the DR instances replay (the {@code await-instances} step): every few seconds each started
 * instance is asked over SQL how far it has replayed ({@code pg_last_wal_replay_lsn()}; one that no longer
 * answers has stopped), and the result is logged at INFO, written to {@code <state_dir>/replay_progress.json}
 * for {@code dr status} in another shell, and kept for the metrics. The file goes when the step ends.
 */
public final class ReplayWatch implements InterceptStrategy {
    public static final String AWAIT_STEP = "await-instances";
    public static final String FILE = "replay_progress.json";
    /** How often (ms) progress is taken; a system property so a test can make it frequent. */
    static final long INTERVAL_MILLIS = Long.getLong("whpg.progress.millis", 5000);
    private static final Logger LOG = LoggerFactory.getLogger(ReplayWatch.class);

    private final DrSyncConfig cfg;
    private final Clock clock;
    private final Path file;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dr-replay-progress");
        t.setDaemon(true);
        return t;
    });
    private volatile ReplayProgress latest;
    private ConsumeCycle active; // guarded by this: the cycle whose replay is being watched

    public ReplayWatch(DrSyncConfig cfg, Clock clock) {
        this.cfg = cfg;
        this.clock = clock;
        this.file = cfg.dr().stateDir().resolve(FILE);
    }

    /** The progress of the replay now running; empty between replays. */
    public Optional<ReplayProgress> latest() {
        return Optional.ofNullable(latest);
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target, Processor next) {
        if (!AWAIT_STEP.equals(definition.getId())) {
            return target;
        }
        return new DelegateAsyncProcessor(AsyncProcessorConverterHelper.convert(target)) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                ScheduledFuture<?> task = exchange.getProperty(ConsumeSteps.CYCLE) instanceof ConsumeCycle c ? watch(c) : null;
                return super.process(exchange, doneSync -> {
                    if (task != null) {
                        task.cancel(false);
                        finish();
                    }
                    callback.done(doneSync);
                });
            }
        };
    }

    private synchronized ScheduledFuture<?> watch(ConsumeCycle c) {
        active = c;
        return ticker.scheduleWithFixedDelay(() -> tick(c), INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick(ConsumeCycle c) {
        Selection s = c.selection();
        if (s == null || s.manifest() == null) {
            return;
        }
        Map<Integer, ReplayProgress.Position> positions = new TreeMap<>();
        Map<Integer, Lsn> targets = new TreeMap<>();
        for (int seg : s.toStart()) {
            s.manifest().segment(seg).ifPresent(p -> targets.put(seg, p.restoreLsn()));
            cfg.dr().instances().stream().filter(i -> i.gpSegmentId() == seg).findFirst()
                    .ifPresent(i -> positions.put(seg, position(i)));
        }
        ReplayProgress p = ReplayProgress.of(s.manifest().restorePoint(), positions, targets, clock.instant());
        synchronized (this) {
            if (active != c) {
                return; // the step ended while this tick asked
            }
            latest = p;
            MDC.put(LogContext.LINE, "dr " + p.target());
            LOG.info(p.line());
            try {
                AtomicFiles.write(file, Json.pretty(p.json()));
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot write {}: {}", file, e.getMessage());
            }
        }
    }

    private ReplayProgress.Position position(Instance i) {
        PGSimpleDataSource ds = (PGSimpleDataSource) PublishSteps.dataSource(cfg.primary(), i.host(), i.port(), false);
        ds.setConnectTimeout(2);
        ds.setSocketTimeout(5);
        try (Connection conn = ds.getConnection(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text")) {
            String lsn = rs.next() ? rs.getString(1) : null;
            return lsn == null ? new ReplayProgress.Starting() : new ReplayProgress.At(Lsn.parse(lsn));
        } catch (SQLException e) {
            // "the database system is starting up" / "not yet accepting connections": replaying, not consistent yet
            String state = e.getSQLState();
            return "57P03".equals(state) ? new ReplayProgress.Starting() : new ReplayProgress.Stopped();
        } catch (RuntimeException e) {
            return new ReplayProgress.Starting();
        }
    }

    private synchronized void finish() {
        active = null;
        latest = null;
        try {
            AtomicFiles.delete(file);
        } catch (IOException e) {
            LOG.debug("cannot remove {}: {}", file, e.getMessage());
        }
    }
}
