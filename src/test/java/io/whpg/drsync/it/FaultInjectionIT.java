package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Crash safety, by SIGKILL of the real tool (a separate JVM) at each step boundary of a cycle, then a rerun
 * (in this JVM, a fresh Camel runtime, unless the test must act beside it).
 * A boundary is found from outside: the DEBUG line each step logs when it ends, or a named pipe put where
 * the tool is about to write its next file (it blocks opening it, so the kill lands exactly between two
 * writes). After every kill and every rerun the guarantees are checked from disk alone ({@link Evidence}):
 * the state names a point only while every instance is parked there, it never advances without a receipt,
 * no READY manifest lacks archived WAL, LATEST.json never names a missing manifest; and every rerun
 * converges to the newest point, verified. The summary line goes to stdout and
 * {@code target/fault-injection-summary.txt}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());
    private static final Duration RUN_LIMIT = Duration.ofSeconds(120);
    private static final Predicate<String> AFTER_PREPARE = l -> l.contains("HostRunner - prepare on ");
    private static final Predicate<String> AFTER_START = l -> l.contains("HostRunner - start on ");
    private static final Predicate<String> HELD = l -> l.startsWith("crash-test hold: ");

    private static Sandbox sandbox;
    private static String config;
    private static DrSyncConfig cfg;
    private static final List<String> killPoints = new ArrayList<>();
    private static int runs;
    private static final List<String> violations = new ArrayList<>();
    private static int converged;
    private static final List<String> notConverged = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        sandbox = SANDBOX.sandbox();
        config = sandbox.configFile().toString();
        cfg = ConfigLoader.load(sandbox.configFile());
    }

    @AfterAll
    static void summary() throws IOException {
        String line = "fault injection: kill points tried " + killPoints.size() + " " + killPoints + ", runs " + runs
                + ", advances without evidence " + violations.size() + ", converged reruns " + converged + "/"
                + killPoints.size();
        System.out.println(line);
        violations.forEach(v -> System.out.println("  violation: " + v));
        notConverged.forEach(v -> System.out.println("  not converged: " + v));
        Path report = Path.of("target", "fault-injection-summary.txt");
        if (Files.isDirectory(report.getParent())) {
            Files.writeString(report, line + "\n");
        }
    }

    @Test
    @Order(1)
    void consumerKilledAtEachStepBoundaryNeverLiesAndTheRerunConverges() throws Exception {
        consumerKill("after_target_write", run -> run.awaitLine(AFTER_PREPARE, RUN_LIMIT));
        consumerKill("after_start", run -> run.awaitLine(AFTER_START, RUN_LIMIT));
        consumerKill("after_verification", () -> ItSupport.latestReady(cfg) + ".receipt.json", run -> {
            boolean reached = run.awaitLine(HELD, RUN_LIMIT);
            assertFalse(Files.exists(cfg.dr().receiptsDir().resolve(ItSupport.latestReady(cfg) + ".receipt.json")),
                    "killed too late");
            return reached;
        });
        consumerKill("between_receipt_and_state", () -> StateStore.FILE_NAME, run -> {
            boolean reached = run.awaitLine(HELD, RUN_LIMIT);
            assertTrue(Files.exists(cfg.dr().receiptsDir().resolve(ItSupport.latestReady(cfg) + ".receipt.json")),
                    "killed too early: no receipt yet");
            assertEquals(Optional.empty(), state().current(), "killed too late: the state was written");
            return reached;
        });
        assertEquals(List.of(), violations);
        assertEquals(List.of(), notConverged);
    }

    /**
     * Killed while an instance waits for WAL it cannot read: it is left running. The rerun finds it running
     * towards the target, waits for it (the file becomes readable meanwhile), and verifies the stop.
     */
    @Test
    @Order(2)
    void consumerKilledWhileAnInstanceWaitsLeavesItRunningAndTheRerunWaitsForIt() throws Exception {
        publishNewPoint("while_waiting");
        Manifest m = Evidence.manifests(cfg).read(ItSupport.latestReady(cfg));
        Path stuck = cfg.archive().dirFor(0).resolve(m.segment(0).orElseThrow().walFile());
        Files.setPosixFilePermissions(stuck, Set.of());
        try {
            killAndRerun("while_waiting", run -> {
                boolean reached = run.awaitLine(AFTER_START, RUN_LIMIT);
                Thread.sleep(1500);
                assertTrue(Files.exists(sandbox.drCopy(0).dataDir().resolve("postmaster.pid")), "instance 0 not running");
                return reached;
            }, rerun -> {
                assertTrue(rerun.awaitLine(l -> l.contains("instance 0 is still running towards " + m.restorePoint()),
                        RUN_LIMIT), rerun.output());
                Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("rw-------"));
            });
        } finally {
            Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("rw-------"));
        }
        assertEquals(List.of(), violations);
        assertEquals(List.of(), notConverged);
    }

    /**
     * Killed while an instance waits for WAL it cannot read, and the file stays unreadable: the rerun waits
     * (bounded, 2 s here) for the left-over server, fast-stops it, tries again and fails without naming any
     * point and without leaving a server running; once the file is readable, the next run converges.
     */
    @Test
    @Order(3)
    void aServerLeftRunningThatCannotReachItsTargetIsStoppedByTheRerun() throws Exception {
        String shortWait = ItSupport.withBehavior(sandbox.configFile(), "consumer_wait_reach_secs", 2).toString();
        publishNewPoint("still_unreadable");
        Manifest m = Evidence.manifests(cfg).read(ItSupport.latestReady(cfg));
        Path stuck = cfg.archive().dirFor(0).resolve(m.segment(0).orElseThrow().walFile());
        Files.setPosixFilePermissions(stuck, Set.of());
        try {
            killAndRerun("while_waiting_wal_stays_unreadable", run -> {
                boolean reached = run.awaitLine(AFTER_START, RUN_LIMIT);
                Thread.sleep(1000);
                return reached;
            }, rerun -> {
                try (ToolProcess still = ToolProcess.run(RUN_LIMIT, "dr", "run", "--once", "--config", shortWait)) {
                    runs++;
                    assertEquals(1, still.exitCode(), still.output());
                    assertTrue(still.stderr().contains("instance 0 still running at the deadline: fast-stopped"),
                            still.output());
                    assertTrue(still.stdout().startsWith("FAILED timeout_waiting_for_wal: instance 0: "), still.output());
                    assertEquals(Optional.empty(), state().current());
                    for (SandboxInstance i : sandbox.drCopies()) {
                        assertFalse(Files.exists(i.dataDir().resolve("postmaster.pid")), "instance " + i.contentId()
                                + " left running");
                    }
                }
                Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("rw-------"));
            }, true);
        } finally {
            Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("rw-------"));
        }
        assertEquals(List.of(), violations);
        assertEquals(List.of(), notConverged);
    }

    /**
     * The publisher killed after the restore point, between the NOT READY manifest and LATEST.json, while it
     * waits for the archive, and right after the READY manifest; each time the next publish and a DR cycle
     * converge to a new READY point.
     */
    @Test
    @Order(4)
    void publisherKilledAtEachStepNeverLeavesAnUnprovenReadyOrADanglingLatest() throws Exception {
        publisherKill("after_restore_point", run -> run.awaitLine(l -> l.contains("created restore point"), RUN_LIMIT));
        publisherKill("between_manifest_and_latest", cfg.storage().latestPath().getFileName().toString(), run -> {
            String before = latestName();
            boolean reached = run.awaitLine(HELD, RUN_LIMIT);
            assertTrue(newestManifestName().filter(n -> !n.equals(before)).isPresent(), "killed too early: no new manifest");
            assertEquals(before, latestName(), "killed too late: LATEST.json was written");
            return reached;
        });
        // The archiver of instance 0 cannot write into the archive: the publisher waits for it.
        Path archive0 = cfg.archive().dirFor(0);
        Files.setPosixFilePermissions(archive0, PosixFilePermissions.fromString("r-x------"));
        try {
            publisherKill("while_awaiting_archive", run -> {
                String before = latestName();
                boolean reached = waitFor(() -> !latestName().equals(before));
                Thread.sleep(500);
                assertFalse(Json.MAPPER.readTree(cfg.storage().latestPath().toFile()).path("ready").asBoolean());
                return reached;
            }, () -> {
                Files.setPosixFilePermissions(archive0, PosixFilePermissions.fromString("rwx------"));
                awaitArchiverRecovered(0);
            });
        } finally {
            Files.setPosixFilePermissions(archive0, PosixFilePermissions.fromString("rwx------"));
        }
        publisherKill("after_ready_manifest", run -> waitFor(() -> newestManifestName()
                .map(n -> Files.exists(cfg.storage().manifestDir().resolve(n + ".json")) && readyOnDisk(n)).orElse(false)));
        assertEquals(List.of(), violations);
        assertEquals(List.of(), notConverged);
    }

    private interface KillAt {
        /** Waits for the boundary (the process still running), returns whether it was seen. */
        boolean reached(ToolProcess run) throws Exception;
    }

    private interface HoldName {
        String name() throws IOException;
    }

    private interface DuringRerun {
        void act(ToolProcess rerun) throws Exception;
    }

    private void consumerKill(String point, KillAt at) throws Exception {
        consumerKill(point, () -> null, at);
    }

    /** {@code holdBefore}: the name of the file the killed run stops right before replacing (null: none), once the point is published. */
    private void consumerKill(String point, HoldName holdBefore, KillAt at) throws Exception {
        publishNewPoint(point);
        killAndRerun(point, holdBefore.name(), at, null, false);
    }

    private void killAndRerun(String point, KillAt at, DuringRerun during) throws Exception {
        killAndRerun(point, null, at, during, false);
    }

    /** {@code beforeRerun}: {@code during} runs (and repairs) before the converging rerun starts, not beside it. */
    private void killAndRerun(String point, KillAt at, DuringRerun during, boolean beforeRerun) throws Exception {
        killAndRerun(point, null, at, during, beforeRerun);
    }

    private void killAndRerun(String point, String holdBefore, KillAt at, DuringRerun during, boolean beforeRerun)
            throws Exception {
        String target = ItSupport.latestReady(cfg);
        Optional<String> before = state().current();
        killPoints.add("dr:" + point);
        try (ToolProcess run = ToolProcess.start(hold(holdBefore), "dr", "run", "--once", "--config", config)) {
            runs++;
            boolean reached = at.reached(run);
            assertTrue(run.alive(), point + ": the cycle ended before the kill:\n" + run.output());
            run.kill();
            assertTrue(reached, point + ": boundary never seen:\n" + run.output());
        }
        check("dr:" + point + " after the kill", before);

        if (beforeRerun) {
            during.act(null);
            check("dr:" + point + " after the runs before the repair", before);
        }
        Optional<String> stateBeforeRerun = state().current();
        int code;
        String output;
        runs++;
        if (during == null || beforeRerun) {
            // Nothing to do beside it: the rerun runs in this JVM (a fresh Camel runtime), which saves a JVM start.
            ItSupport.Run rerun = ItSupport.cli("dr", "run", "--once", "--config", config);
            code = rerun.exitCode();
            output = rerun.output();
        } else {
            try (ToolProcess rerun = ToolProcess.start("dr", "run", "--once", "--config", config)) {
                during.act(rerun);
                code = rerun.waitFor(RUN_LIMIT);
                output = rerun.output();
            }
        }
        check("dr:" + point + " after the rerun", stateBeforeRerun);
        List<String> parked = Evidence.parkedAt(sandbox, target, cfg);
        if (code == 0 && Optional.of(target).equals(state().current()) && parked.isEmpty()) {
            converged++;
        } else {
            notConverged.add("dr:" + point + ": exit " + code + ", state " + state().current() + ", " + parked + "\n" + output);
        }
    }

    private void publisherKill(String point, KillAt at) throws Exception {
        publisherKill(point, null, at, () -> { });
    }

    private void publisherKill(String point, String holdBefore, KillAt at) throws Exception {
        publisherKill(point, holdBefore, at, () -> { });
    }

    private interface Repair {
        void run() throws Exception;
    }

    private void publisherKill(String point, KillAt at, Repair afterKill) throws Exception {
        publisherKill(point, null, at, afterKill);
    }

    private void publisherKill(String point, String holdBefore, KillAt at, Repair afterKill) throws Exception {
        ItSupport.commitOnEveryPrimary(sandbox, point);
        killPoints.add("primary:" + point);
        Optional<String> dr = state().current();
        awaitNextSecond();
        try (ToolProcess run = ToolProcess.start(hold(holdBefore), "primary", "run", "--once", "--config", config)) {
            runs++;
            boolean reached = at.reached(run);
            assertTrue(run.alive(), point + ": the publish ended before the kill:\n" + run.output());
            run.kill();
            assertTrue(reached, point + ": boundary never seen:\n" + run.output());
        }
        check("primary:" + point + " after the kill", dr);
        afterKill.run();

        // The reruns run in this JVM (fresh Camel runtimes): the publish, then a DR cycle to its point.
        awaitNextSecond();
        ItSupport.Run rerun = ItSupport.publish(sandbox.configFile());
        runs++;
        String point2 = latestName();
        ItSupport.Run consume = ItSupport.cli("dr", "run", "--once", "--config", config);
        runs++;
        check("primary:" + point + " after the rerun", dr);
        List<String> parked = Evidence.parkedAt(sandbox, point2, cfg);
        if (rerun.exitCode() == 0 && readyOnDisk(point2) && consume.exitCode() == 0
                && Optional.of(point2).equals(state().current()) && parked.isEmpty()) {
            converged++;
        } else {
            notConverged.add("primary:" + point + ": publish exit " + rerun.exitCode() + ", dr exit " + consume.exitCode()
                    + ", state " + state().current() + ", " + parked + "\n" + rerun.output() + "\n" + consume.output());
        }
    }

    /** Every guarantee, from disk; violations are collected (and fail the test at the end). */
    private static void check(String when, Optional<String> stateBefore) throws IOException {
        List<String> found = new ArrayList<>();
        found.addAll(Evidence.stateHonesty(cfg, sandbox));
        found.addAll(Evidence.advanceEvidence(cfg, stateBefore));
        found.addAll(Evidence.publisherEvidence(cfg));
        found.forEach(v -> violations.add(when + ": " + v));
    }

    private static StateStore state() {
        return new StateStore(cfg.dr().stateDir());
    }

    private static void publishNewPoint(String note) throws Exception {
        ItSupport.commitOnEveryPrimary(sandbox, note);
        ItSupport.Run published = ItSupport.publish(sandbox.configFile());
        assertEquals(0, published.exitCode(), published.output());
    }

    /** Restore point names carry the second; the publisher refuses to reuse one. */
    private static void awaitNextSecond() throws InterruptedException {
        long second = System.currentTimeMillis() / 1000;
        while (System.currentTimeMillis() / 1000 == second) {
            Thread.sleep(20);
        }
    }

    private static String latestName() throws IOException {
        Path p = cfg.storage().latestPath();
        return Files.exists(p) ? Json.MAPPER.readTree(p.toFile()).path("restore_point").asText() : "";
    }

    private static Optional<String> newestManifestName() throws IOException {
        return Evidence.manifests(cfg).readNewestFirst().stream().findFirst()
                .map(e -> e.path().getFileName().toString().replaceFirst("\\.json$", ""));
    }

    private static boolean readyOnDisk(String name) {
        try {
            return Evidence.manifests(cfg).read(name).ready();
        } catch (Exception e) {
            return false;
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static boolean waitFor(Condition c) throws Exception {
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (c.holds()) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * The archive repaired, the instance's archiver must succeed once before the next publish is allowed (the
     * publisher refuses while its last failure is newer than its last success): a new WAL file wakes it at once
     * instead of its 60 s retry pause.
     */
    private void awaitArchiverRecovered(int contentId) throws Exception {
        try (java.sql.Connection c = sandbox.connectPrimary(contentId); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO dr_probe(note) VALUES ('archive repaired')");
            st.execute("SELECT pg_switch_wal()");
            long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                try (java.sql.ResultSet rs = st.executeQuery("SELECT coalesce(last_archived_time > last_failed_time, true)"
                        + " FROM pg_stat_archiver")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the archiver of content " + contentId + " never succeeded after the repair");
    }

    /** JVM options that stop the tool right before it replaces the file named {@code name} (none for null). */
    private static List<String> hold(String name) {
        return name == null ? List.of() : List.of("-Dwhpg.crash-test.hold-before-replacing=" + name);
    }
}
