package io.whpg.drsync.app;

import io.whpg.drsync.archive.CamelWalArchive;
import io.whpg.drsync.archive.LocalDirectoryArchive;
import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.backend.Backends;
import io.whpg.drsync.backend.ManifestSync;
import io.whpg.drsync.backend.S3Store;
import io.whpg.drsync.backend.StoreWalArchive;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.dr.ConsumeCycle;
import io.whpg.drsync.ops.CycleWatch;
import io.whpg.drsync.ops.LogContext;
import io.whpg.drsync.ops.ObserveAccess;
import io.whpg.drsync.ops.Readiness;
import io.whpg.drsync.ops.ReplayWatch;
import io.whpg.drsync.ops.Retention;
import io.whpg.drsync.ops.ToolHome;
import io.whpg.drsync.ops.Observability;
import io.whpg.drsync.primary.KeptConnections;
import io.whpg.drsync.route.ArchiveRoutes;
import io.whpg.drsync.route.ConsumeRoute;
import io.whpg.drsync.route.ConsumerLock;
import io.whpg.drsync.route.ConsumeSteps;
import io.whpg.drsync.route.CycleOutcome;
import io.whpg.drsync.route.HostFanOut;
import io.whpg.drsync.route.OnceLeadership;
import io.whpg.drsync.route.PublishRoute;
import io.whpg.drsync.route.PublishSteps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.ManagementMBeansLevel;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.main.Main;

/**
 * Camel Main for one role: registers the beans and routes, then either runs one cycle and stops
 * ({@code --once}) or runs the timer until the process is told to stop. JMX is on, so hawtio and
 * jconsole show every route and step by its id. YAML routes in {@code routes/} (archive backends)
 * are loaded at start.
 */
public final class DrSyncRuntime implements AutoCloseable {
    public enum Role { PRIMARY, DR }

    public static final String CONSUMER_LOCKED = "consumer_locked";
    public static final String JOLOKIA_PATH = "/observe/jolokia";

    private final Main main = new Main();
    private final Role role;
    private final ShellOpener shells;
    private final String lockDir;
    private final DrSyncConfig config;
    private FileLockClusterService lock;
    private ReplayWatch replayWatch;
    private OnceLeadership onceLock;
    private KeptConnections coordinator;
    private PublishSteps publishSteps;
    private final Backends.Built backend;
    private final Path routesDir;

    public DrSyncRuntime(DrSyncConfig config, Role role, boolean daemon, Path routesDir) {
        this.role = role;
        this.shells = role == Role.DR ? new ShellOpener(config) : null;
        this.lockDir = config.dr().lockDir();
        this.config = config;
        this.routesDir = routesDir;
        main.configure().setName("whpg-dr-sync-" + role.name().toLowerCase());
        // JMX is for watching a running process (hawtio, jconsole, Jolokia): a one-shot run (publish or consume) skips
        // registering its MBeans (~0.15-0.2 CPU-s of a `primary run --once`, bench/results/publish-profile.md; ~0.1-0.2 s
        // of a `dr run --once`, bench/results/round2) unless observed
        main.configure().setJmxEnabled(daemon);
        main.configure().setJmxManagementMBeansLevel(ManagementMBeansLevel.Default);
        main.bind("whpgLogContext", new LogContext(role == Role.DR ? "dr" : "primary"));
        // SIGTERM (systemd stop): Camel waits this long for a running cycle to end before it forces the stop
        main.configure().setShutdownTimeout((int) Readiness.cycleBound(config, role == Role.DR).toSeconds());
        main.configure().withLogName("whpg.routes"); // log: steps of routes/*.yaml log at INFO (config/logback.xml)
        // camel.main.* and the other camel.* keys: application.properties on the classpath, then <home>/config/,
        // then environment variables (CAMEL_MAIN_NAME=...), which Camel Main reads by default
        main.setPropertyPlaceholderLocations("classpath:application.properties;optional=true"
                + ToolHome.get().map(h -> ",file:" + h.resolve("config/application.properties") + ";optional=true").orElse(""));
        // <home>/lib/*.jar: classes and Camel components for routes/*.yaml, found by Camel's class resolver
        ToolHome.get().flatMap(h -> LibJars.loader(h.resolve("lib"), DrSyncRuntime.class.getClassLoader())).ifPresent(cl -> {
            Thread.currentThread().setContextClassLoader(cl);
            main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
                @Override
                public void beforeConfigure(org.apache.camel.main.BaseMainSupport m) {
                    m.getCamelContext().setApplicationContextClassLoader(cl);
                }
            });
        });
        if (routesDir != null && Files.isDirectory(routesDir)) {
            main.configure().setRoutesIncludePattern("file:" + routesDir.toAbsolutePath() + "/*.yaml");
        }
        Clock clock = Clock.systemUTC();
        WalArchive archive = new CamelWalArchive(this::template, config.archive().listEndpoint());
        main.configure().addRoutesBuilder(new ArchiveRoutes("archive-local", ArchiveRoutes.LOCAL_URI,
                new LocalDirectoryArchive(config.archive()::dirFor)));
        // archive.backend s3 / sftp: the store serves direct:archive-backend (WAL) and the manifests
        backend = Backends.build(config, this::template, System::getenv).orElse(null);
        if (backend != null) {
            if (backend.s3Client() != null) {
                main.bind(S3Store.CLIENT_BEAN, backend.s3Client());
            }
            main.bind(Backends.STORE_BEAN, backend.store());
            if (config.storage().inArchiveBackend()) {
                main.bind(ManifestSync.STORE_BEAN, backend.store());
            }
            main.configure().addRoutesBuilder(new ArchiveRoutes("archive-backend", ConfigLoader.BACKEND_ENDPOINT,
                    new StoreWalArchive(backend.store(), seg -> config.archive().dirFor(seg).toString())));
        }
        if (role == Role.PRIMARY) {
            coordinator = PublishSteps.keptConnections(config.primary(), config.primary().host(), config.primary().port(), false);
            main.bind("primary", coordinator);
            main.bind(PublishRoute.INSTANCE_POOL, java.util.concurrent.Executors.newFixedThreadPool(16, daemonThreads("primary-instance")));
            publishSteps = new PublishSteps(config, archive, clock);
            main.configure().addRoutesBuilder(new PublishRoute(publishSteps,
                    config.behavior().publisherSleepSecs() * 1000L, daemon));
        } else {
            for (var i : config.dr().instances()) {
                main.bind(ConsumeSteps.dataSourceName(i.gpSegmentId()),
                        PublishSteps.dataSource(config.primary(), i.host(), i.port(), false));
            }
            main.bind(HostFanOut.POOL, java.util.concurrent.Executors.newFixedThreadPool(config.ssh().maxParallelHosts(),
                    daemonThreads("dr-host")));
            main.configure().addRoutesBuilder(new HostFanOut());
            lock = ConsumerLock.fileLock(config.dr().lockDir());
            main.bind("whpgConsumerLock", lock);
            replayWatch = new ReplayWatch(config, clock, shells);
            main.bind("whpgReplayWatch", replayWatch);
            // storage.keep: the consumer prunes what no DR cycle can need any more, after an advance, else every 10 min
            Retention retention = new Retention(config, clock, backend != null && config.storage().inArchiveBackend()
                    ? new ManifestSync(backend.store(), config.storage())::removed : p -> { });
            main.bind("whpgRetention", new CycleWatch(ConsumeRoute.CYCLE_ROUTE_ID, clock,
                    (outcome, took) -> retention.afterCycle(ConsumeCycle.SUCCESS.equals(outcome.status()))));
            main.configure().addRoutesBuilder(new ConsumeRoute(new ConsumeSteps(config, shells, archive, clock),
                    config.behavior().consumerSleepSecs() * 1000L, daemon ? Optional.of(lock) : Optional.empty()));
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Serves /observe/health (readiness and liveness of the cycles, {@link Observability}), /observe/metrics
     * (Prometheus: the whpg_dr_* families and the JVM) and /observe/jolokia (for hawtio) on host:port. Jolokia
     * answers only what config/jolokia-access.xml allows (built into the jar: Jolokia's default policy location).
     */
    public DrSyncRuntime observeOn(String host, int port) {
        return observeOn(host, port, System.getenv());
    }

    /** As {@link #observeOn(String, int)}, basic auth for Jolokia taken from {@code env} ({@link ObserveAccess}). */
    public DrSyncRuntime observeOn(String host, int port, Map<String, String> env) {
        if (role == Role.DR) {
            new Observability(main, config, true, ConsumeRoute.CYCLE_ROUTE_ID, () -> lock.isLeader(ConsumerLock.NAMESPACE),
                    replayWatch);
        } else {
            new Observability(main, config, false, PublishRoute.CYCLE_ROUTE_ID, null, null);
        }
        main.configure().setJmxEnabled(true);
        main.configure().metrics().withEnabled(true);
        main.configure().httpManagementServer().withEnabled(true).withHost(host).withPort(port)
                .withHealthCheckEnabled(true).withJolokiaEnabled(true).withMetricsEnabled(true);
        ObserveAccess.configure(main.configure().httpManagementServer(), JOLOKIA_PATH, env);
        return this;
    }

    private ProducerTemplate template() {
        try {
            return main.getCamelTemplate();
        } catch (Exception e) {
            throw new IllegalStateException("Camel is not started", e);
        }
    }

    /**
     * Starts Camel, runs one cycle, and returns how it ended. A DR cycle runs only while this process holds
     * the consumer lock; when another consumer holds it, nothing is done and the outcome says so.
     */
    public CycleOutcome runOnce(Map<String, Object> headers) throws Exception {
        if (role == Role.PRIMARY) {
            // the coordinator's connection (TCP, authentication, the driver's classes) opens while Camel starts
            Thread ahead = new Thread(coordinator::openAhead, "primary-connect-ahead");
            ahead.setDaemon(true);
            ahead.start();
        }
        main.start();
        checkListEndpoint();
        if (role == Role.PRIMARY) {
            return template().requestBodyAndHeaders(PublishRoute.CYCLE_URI, null, new HashMap<>(headers), CycleOutcome.class);
        }
        Optional<OnceLeadership> held = OnceLeadership.acquire(main.getCamelContext(), lock,
                Duration.ofMillis(ConsumerLock.ONCE_WAIT_MILLIS));
        if (held.isEmpty()) {
            return new CycleOutcome(CONSUMER_LOCKED, "another consumer is running on this DR cluster (it holds the lock "
                    + ConsumerLock.NAMESPACE + " in " + lockDir + "): nothing was done", false, null);
        }
        onceLock = held.get(); // held until close(), as a daemon's lock until it stops (readiness says so meanwhile)
        return template().requestBodyAndHeaders(ConsumeRoute.CYCLE_URI, null, new HashMap<>(headers), CycleOutcome.class);
    }

    /**
     * The archive's built-in backend answers (endpoint, bucket or directory, credentials): called before any cycle,
     * so a wrong setting stops the tool (exit 2, one line naming it) before a restore point is made.
     */
    public void checkBackend() {
        if (backend != null) {
            Backends.check(config, backend.store());
        }
    }

    /**
     * Once Camel runs, before any cycle: a {@code direct:} archive.list_endpoint must be some route's consumer (a
     * routes/*.yaml file missing or misnamed), else exit 2 naming the setting.
     */
    private void checkListEndpoint() {
        String uri = config.archive().listEndpoint();
        if (!uri.startsWith("direct:")) {
            return;
        }
        String name = uri.substring("direct:".length()).replaceFirst("^//", "").replaceFirst("\\?.*$", "");
        boolean served = main.getCamelContext().getRoutes().stream()
                .anyMatch(r -> r.getEndpoint().getEndpointUri().replaceFirst("^direct://", "direct:").replaceFirst("\\?.*$", "")
                        .equals("direct:" + name));
        if (!served) {
            throw new IllegalArgumentException("archive.list_endpoint: no route consumes " + uri + " (routes are loaded from "
                    + (routesDir == null ? "no routes/ directory" : routesDir + "/*.yaml") + ")");
        }
    }

    /** Runs the timer-driven daemon until SIGTERM or Ctrl-C. */
    public void runForever() throws Exception {
        main.run();
    }

    public org.apache.camel.CamelContext camelContext() {
        return main.getCamelContext();
    }

    @Override
    public void close() {
        if (onceLock != null) {
            onceLock.close();
        }
        main.stop();
        if (publishSteps != null) {
            coordinator.close();
            publishSteps.close();
        }
        if (backend != null) {
            backend.store().close();
        }
        if (shells != null) {
            shells.close();
        }
    }
}
