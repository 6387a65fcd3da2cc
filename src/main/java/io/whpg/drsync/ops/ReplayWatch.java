package io.whpg.drsync.ops;

import java.util.List;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.time.Duration;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.exec.ShellQuote;
import io.whpg.drsync.exec.HostShell;
import io.whpg.drsync.dr.DrHost;
import io.whpg.drsync.dr.HostShells;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.dr.ConsumeCycle;
import io.whpg.drsync.dr.Selection;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.route.ConsumeSteps;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Progress while the DR instances replay (the {@code await-instances} step): every few seconds the pg_controldata
 * of each started instance says whether it has stopped and how far its replay has surely come (minimum recovery
 * ending location), read over the tool's own shells; the result is logged at INFO, written to {@code <state_dir>/replay_progress.json}
 * for {@code dr status} in another shell, and kept for the metrics. The file goes when the step ends.
 */
public final class ReplayWatch implements InterceptStrategy {
    public static final String AWAIT_STEP = "await-instances";
    public static final String FILE = "replay_progress.json";
    /** How often (ms) progress is taken; a system property so a test can make it frequent. */
    static final long INTERVAL_MILLIS = Long.getLong("whpg.progress.millis", 5000);
    private static final String MARK = "@@whpg-seg ";
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
    private final Function<DrHost, HostShell> opener;
    private HostShells shells; // guarded by this: the kept shells of the hosts (each script in its own channel)

    public ReplayWatch(DrSyncConfig cfg, Clock clock, Function<DrHost, HostShell> opener) {
        this.cfg = cfg;
        this.clock = clock;
        this.opener = opener;
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
        shells = new HostShells(opener);
        return ticker.scheduleWithFixedDelay(() -> tick(c), INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick(ConsumeCycle c) {
        Selection s = c.selection();
        if (s == null || s.manifest() == null) {
            return;
        }
        Map<Integer, Lsn> targets = new TreeMap<>();
        Map<DrHost, List<Instance>> byHost = new LinkedHashMap<>();
        for (int seg : s.toStart()) {
            s.manifest().segment(seg).ifPresent(p -> targets.put(seg, p.restoreLsn()));
            cfg.dr().instances().stream().filter(i -> i.gpSegmentId() == seg).findFirst()
                    .ifPresent(i -> byHost.computeIfAbsent(c.hostOf(seg), h -> new ArrayList<>()).add(i));
        }
        Map<Integer, ReplayProgress.Position> positions = new TreeMap<>();
        byHost.forEach((host, instances) -> positions.putAll(positions(host, instances)));
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

    /**
     * pg_controldata of each instance on one host, read without touching the server (a connection attempt
     * would leave a FATAL in a stopping server's log): stopped in recovery is done; otherwise its minimum
     * recovery ending location is how far its replay has surely come.
     */
    private Map<Integer, ReplayProgress.Position> positions(DrHost host, List<Instance> instances) {
        Map<Integer, ReplayProgress.Position> out = new TreeMap<>();
        StringBuilder script = new StringBuilder();
        for (Instance i : instances) {
            script.append("echo '").append(MARK).append(i.gpSegmentId()).append("'; ")
                    .append(ShellQuote.quote(cfg.dr().pgBin() + "/pg_controldata")).append(' ')
                    .append(ShellQuote.quote(i.dataDir())).append(" 2>/dev/null\n");
        }
        String output;
        try {
            output = shell(host).run(script.toString(), Duration.ofSeconds(30)).stdout();
        } catch (RuntimeException e) {
            instances.forEach(i -> out.put(i.gpSegmentId(), new ReplayProgress.Starting()));
            return out;
        }
        String[] parts = output.split(java.util.regex.Pattern.quote(MARK));
        for (String part : parts) {
            int nl = part.indexOf('\n');
            if (nl < 0) {
                continue;
            }
            try {
                int seg = Integer.parseInt(part.substring(0, nl).trim());
                ControlData cd = ControlData.parse(part.substring(nl + 1));
                out.put(seg, cd.isShutDownInRecovery() || cd.isShutDown() ? new ReplayProgress.Stopped()
                        : cd.minRecoveryEnd() != null && cd.minRecoveryEnd().isAfter(Lsn.ZERO)
                        ? new ReplayProgress.At(cd.minRecoveryEnd()) : new ReplayProgress.Starting());
            } catch (RuntimeException e) {
                // a torn read while the server writes pg_control: this instance is asked again next tick
            }
        }
        instances.forEach(i -> out.putIfAbsent(i.gpSegmentId(), new ReplayProgress.Starting()));
        return out;
    }

    private synchronized HostShell shell(DrHost host) {
        if (shells == null) {
            throw new IllegalStateException("replay no longer watched");
        }
        return shells.get(host);
    }

    private synchronized void finish() {
        active = null;
        latest = null;
        if (shells != null) {
            shells.close();
            shells = null;
        }
        try {
            AtomicFiles.delete(file);
        } catch (IOException e) {
            LOG.debug("cannot remove {}: {}", file, e.getMessage());
        }
    }
}
