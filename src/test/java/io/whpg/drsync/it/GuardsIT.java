package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.dr.HostScripts;
import io.whpg.drsync.dr.ParkVerifier;
import io.whpg.drsync.dr.PlannedStart;
import io.whpg.drsync.dr.RecoveryTargetFile;
import io.whpg.drsync.dr.ScriptOutput;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.LocalHostShell;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.WalFile;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each guard of the consumer on a real sandbox (coordinator + 2 segments), provoked for real: the wrong
 * cluster, a WAL gap, a timeline switch with its history file missing, a target behind the floors, signal
 * files that would promote or open an instance, a timeline history appearing during a cycle, a tampered
 * manifest, torn state files. Each refusal is checked to leave every data dir, the state and the archive
 * exactly as they were (only a receipt may appear), and each test ends with the cluster converged again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuardsIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";

    private static Sandbox sandbox;
    private static Path config;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void convergeOnce() throws Exception {
        sandbox = SANDBOX.sandbox();
        config = sandbox.configFile();
        cfg = ConfigLoader.load(config);
        publish("start");
        converge();
    }

    /** Item 1: DR data dirs of segments 0 and 1 swapped in the config, as if pointed at another cluster's copies. */
    @Test
    @Order(1)
    void aDrInstanceOfAnotherClusterIsRefusedBeforeAnythingIsTouched() throws Exception {
        String point = publish("wrong-cluster");
        Path swapped = configWith(root -> {
            ArrayNode instances = (ArrayNode) root.path("dr").path("instances");
            ObjectNode seg0 = (ObjectNode) instances.get(1);
            ObjectNode seg1 = (ObjectNode) instances.get(2);
            String dir0 = seg0.path("data_dir").asText();
            seg0.put("data_dir", seg1.path("data_dir").asText());
            seg1.put("data_dir", dir0);
        }, "swapped");
        String drSysId = ItSupport.controlData(sandbox, sandbox.drCopy(1).dataDir()).systemIdentifier();
        String manifestSysId = manifest(point).segment(0).orElseThrow().systemIdentifier();

        for (List<String> args : List.<List<String>>of(List.of(), List.of("--target", point))) {
            Snapshot before = Snapshot.of(sandbox, cfg);
            ItSupport.Run r = dr(swapped, args);
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED wrong_cluster: instance 0: database system identifier " + drSysId
                    + " differs from the manifest's " + manifestSysId + " (DR copy of another cluster?)"), r.output());
            assertOnlyAReceiptAppeared(before, "wrong_cluster");
        }
        converge();
    }

    /** Item 2: one WAL file in the middle of what replay needs is missing: refused, naming it, before any start. */
    @Test
    @Order(2)
    void aGapInTheWalIsRefusedNamingTheFileBeforeAnyStart() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Connection c = sandbox.connectPrimary(0); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO dr_probe(note) VALUES ('gap-" + i + "')");
                s.execute("SELECT pg_switch_wal()");
            }
        }
        String point = publish("gap");
        ControlData dr0 = ItSupport.controlData(sandbox, sandbox.drCopy(0).dataDir());
        Manifest m = manifest(point);
        List<WalFile> needed = WalFile.between(dr0.latestCheckpointRedo(), m.segment(0).orElseThrow().restoreLsn(),
                m.segment(0).orElseThrow().timeline(), m.walSegmentSize());
        assertTrue(needed.size() >= 3, "expected at least 3 WAL files to replay, got " + needed);
        String gap = needed.get(needed.size() / 2).name();
        Path archived = cfg.archive().dirFor(0).resolve(gap);
        Path aside = archived.resolveSibling(gap + ".aside");
        Files.move(archived, aside);
        try {
            Snapshot before = Snapshot.of(sandbox, cfg);
            ItSupport.Run r = dr(config, List.of());
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED wal_missing: instance 0: 1 of "), r.output());
            assertTrue(r.out().contains("WAL files missing from the archive: " + gap + "\n"), r.output());
            assertOnlyAReceiptAppeared(before, "wal_missing");
        } finally {
            Files.move(aside, archived);
        }
        converge();
    }

    /**
     * Item 2, timelines: primary segment 1 goes through archive recovery and comes out on timeline 2. Without
     * 00000002.history in the archive the consumer refuses, naming it; with it, the DR copy follows the switch
     * and parks on timeline 2 (the history file it restored on the way is not taken for a promotion).
     */
    @Test
    @Order(3)
    void aTimelineSwitchIsFollowedThroughItsHistoryFileAndRefusedWithoutIt() throws Exception {
        SandboxInstance p1 = sandbox.primary(1);
        String user = sandbox.serviceUser();
        run(user, PG_BIN + "/pg_ctl", "stop", "-m", "fast", "-w", "-D", p1.dataDir().toString());
        run(user, "touch", p1.dataDir().resolve("recovery.signal").toString());
        run(user, PG_BIN + "/pg_ctl", "start", "-w", "-t", "60", "-D", p1.dataDir().toString(), "-l",
                sandbox.primaryLog(1).toString(), "-o", "-c restore_command='cp " + cfg.archive().dirFor(1) + "/%f %p'");
        Path history = cfg.archive().dirFor(1).resolve("00000002.history");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(history) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(history), "primary 1 did not archive " + history);

        String point = publish("timeline-2");
        assertEquals(2, manifest(point).segment(1).orElseThrow().timeline());
        Path aside = history.resolveSibling("00000002.history.aside");
        Files.move(history, aside);
        try {
            Snapshot before = Snapshot.of(sandbox, cfg);
            ItSupport.Run r = dr(config, List.of());
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED wal_missing: instance 1: timeline history 00000002.history missing "
                    + "from the archive (its floor is on timeline 1, the target on 2)"), r.output());
            assertOnlyAReceiptAppeared(before, "wal_missing");
        } finally {
            Files.move(aside, history);
        }
        converge();
        // the publish's CHECKPOINT on timeline 2 was replayed: the copy's restartpoint is on timeline 2
        assertEquals(2, ItSupport.controlData(sandbox, sandbox.drCopy(1).dataDir()).latestCheckpointTimeline());
    }

    /** Item 3: an older point named with --target lies behind every floor: nothing is written. */
    @Test
    @Order(4)
    void aTargetBehindTheFloorsIsNeverWritten() throws Exception {
        String older = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        converge(publish("ahead"));
        Snapshot before = Snapshot.of(sandbox, cfg);
        ItSupport.Run r = dr(config, List.of("--target", older));
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.out().startsWith("FAILED target_behind_floor: instance -1: " + older + " is at "), r.output());
        assertOnlyAReceiptAppeared(before, "target_behind_floor");
    }

    /** Item 4: an instance that a start would open read-write or promote is refused, and nothing is started. */
    @Test
    @Order(5)
    void signalFilesThatWouldOpenOrPromoteAnInstanceAreRefused() throws Exception {
        publish("signals");
        Path standby = sandbox.drCopy(0).dataDir().resolve("standby.signal");
        Path recovery = sandbox.drCopy(1).dataDir().resolve("recovery.signal");
        Files.move(standby, standby.resolveSibling("standby.signal.aside"));
        run(sandbox.serviceUser(), "touch", recovery.toString());
        try {
            Snapshot before = Snapshot.of(sandbox, cfg);
            ItSupport.Run r = dr(config, List.of());
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED instance_not_parked: instance 0: standby.signal is missing: starting it "
                    + "would open it read-write; instance 1: recovery.signal is present: starting it would promote it"),
                    r.output());
            assertOnlyAReceiptAppeared(before, "instance_not_parked");
        } finally {
            Files.move(standby.resolveSibling("standby.signal.aside"), standby);
            Files.delete(recovery);
        }
        converge();
    }

    /** Item 4: a copy whose control file says 'shut down' (left recovery at some point) is refused. */
    @Test
    @Order(6)
    void aCopyThatIsNotShutDownInRecoveryIsRefused() throws Exception {
        String user = sandbox.serviceUser();
        Path copy = copyOfDrInstance0("reset-copy");
        try {
            run(user, PG_BIN + "/pg_resetwal", "-f", copy.toString());
            Path pointed = configWith(root -> ((ObjectNode) root.path("dr").path("instances").get(1))
                    .put("data_dir", copy.toString()), "reset-copy");
            publish("not-in-recovery");
            Snapshot before = Snapshot.of(sandbox, cfg);
            Snapshot copyBefore = Snapshot.of(sandbox, ConfigLoader.load(pointed));
            ItSupport.Run r = dr(pointed, List.of());
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED instance_not_parked: instance 0: cluster state is 'shut down', expected "
                    + "'shut down in recovery'"), r.output());
            assertOnlyAReceiptAppeared(before, "instance_not_parked");
            assertEquals(List.of(), copyBefore.changesUntil(Snapshot.of(sandbox, ConfigLoader.load(pointed))).stream()
                    .filter(c -> c.contains(copy.toString())).toList());
        } finally {
            run(user, "rm", "-rf", copy.toString());
        }
        converge();
    }

    /**
     * Item 4, during the wait: a timeline history file past the target's timeline appears in an instance's pg_wal
     * while it replays (what a promotion leaves): the instance is stopped at once and the cycle fails as promoted.
     */
    @Test
    @Order(7)
    void aTimelineHistoryAppearingDuringTheCycleFailsItsVerification() throws Exception {
        String point = publish("history-appears");
        String before = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        Path stuck = cfg.archive().dirFor(0).resolve(manifest(point).segment(0).orElseThrow().walFile());
        Files.setPosixFilePermissions(stuck, Set.of());
        Path foreign = sandbox.drCopy(0).dataDir().resolve("pg_wal/0000000A.history");
        try (ToolProcess run = ToolProcess.start("dr", "run", "--once", "--config", config.toString())) {
            assertTrue(run.awaitLine(l -> l.contains("HostRunner - start on "), Duration.ofSeconds(60)), run.output());
            run(sandbox.serviceUser(), "sh", "-c", "printf '1\\t0/3000000\\tno recovery target specified\\n' > " + foreign);
            Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("rw-------"));
            assertEquals(1, run.waitFor(Duration.ofSeconds(90)), run.output());
            assertTrue(run.stdout().startsWith("FAILED promoted: instance 0: left recovery during the wait: timeline "
                    + "history 0000000A.history appeared (target timeline 1); stopped at once (pg_ctl stop -m immediate, exit 0)"),
                    run.output());
        } finally {
            Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("rw-------"));
            run(sandbox.serviceUser(), "rm", "-f", foreign.toString());
        }
        StateStore state = new StateStore(cfg.dr().stateDir());
        assertEquals(Optional.empty(), state.current());
        assertEquals(Optional.of(before), state.transit().orElseThrow().from());
        converge(point);
    }

    /** Item 5: a manifest edited after it was signed is skipped (and said so), and refused when named. */
    @Test
    @Order(8)
    void aTamperedManifestIsReportedAndNeverApplied() throws Exception {
        String current = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        String point = publish("tampered");
        Path file = cfg.storage().manifestDir().resolve(point + ".json");
        String original = Files.readString(file);
        ObjectNode edited = (ObjectNode) Json.MAPPER.readTree(original);
        ((ObjectNode) edited.path("segments").get(1)).put("restore_lsn", "0/1000000");
        AtomicFiles.write(file, Json.pretty(edited));
        try {
            Snapshot before = Snapshot.of(sandbox, cfg);
            ItSupport.Run r = dr(config, List.of());
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("nothing to do: no READY manifest newer than the current restore point "
                    + current + "; 1 invalid manifest(s) skipped, first: " + file + ": digest: content does not match "),
                    r.output());
            before.assertNothingChanged(sandbox, cfg, "a skipped manifest changes nothing");

            ItSupport.Run named = dr(config, List.of("--target", point));
            assertEquals(2, named.exitCode(), named.output());
            assertTrue(named.err().startsWith("whpg_dr_sync: --target: " + file + ": digest: content does not match "),
                    named.output());
            before.assertNothingChanged(sandbox, cfg, "a refused --target changes nothing");
        } finally {
            AtomicFiles.write(file, original);
        }
        converge(point);
    }

    /** Item 7: a torn state file or departure marker is reported, not trusted; a crash's temp files are ignored. */
    @Test
    @Order(9)
    void tornStateFilesAreReportedAndLeftoverTempFilesIgnored() throws Exception {
        String current = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        publish("torn");
        Path stateFile = cfg.dr().stateDir().resolve(StateStore.FILE_NAME);
        Path marker = cfg.dr().stateDir().resolve(StateStore.TRANSIT_FILE_NAME);
        for (Path torn : List.of(stateFile, marker)) {
            String content = torn.equals(stateFile) ? current.substring(0, 12) : "{\"from\" : \"" + current.substring(0, 9);
            Files.writeString(torn, content);
            Snapshot before = Snapshot.of(sandbox, cfg);
            ItSupport.Run r = dr(config, List.of());
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED state_unreadable: " + torn + ": "), r.output());
            assertTrue(r.out().contains("(torn or edited file)"), r.output());
            assertOnlyAReceiptAppeared(before, "state_unreadable");
            Files.delete(torn);
        }
        new StateStore(cfg.dr().stateDir()).advance(current);
        Files.writeString(cfg.dr().stateDir().resolve("." + StateStore.FILE_NAME + ".tmp-4242"), "sync_po");
        Files.writeString(cfg.storage().manifestDir().resolve(".sync_point_29990101_000000.json.tmp-4242"), "{\"rest");
        Files.writeString(cfg.dr().receiptsDir().resolve(".x.receipt.json.tmp-4242"), "{");
        converge();
        ItSupport.Run status = ItSupport.cli("dr", "status", "--config", config.toString());
        assertEquals(0, status.exitCode(), status.output());
    }

    /**
     * Issue 14, a forged manifest: segment 0's LSN moved back to the end of a COMMIT record and the digest recomputed.
     * The digest passes; the archived WAL shows no RESTORE_POINT record of that name ending there: refused, nothing
     * changed but the receipt.
     */
    @Test
    @Order(12)
    void aForgedManifestWithAValidDigestButAnLsnOffItsRestorePointIsRefused() throws Exception {
        io.whpg.drsync.pg.Lsn commitEnd;
        try (Connection c = sandbox.connectPrimary(0); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO dr_probe(note) VALUES ('forged-commit')");
            try (java.sql.ResultSet r = s.executeQuery("SELECT pg_current_wal_insert_lsn()")) {
                r.next();
                commitEnd = io.whpg.drsync.pg.Lsn.parse(r.getString(1));
            }
        }
        String point = publish("forged");
        Manifest real = manifest(point);
        List<io.whpg.drsync.state.SegmentPoint> moved = real.segments().stream().map(p -> p.gpSegmentId() != 0 ? p
                : new io.whpg.drsync.state.SegmentPoint(0, commitEnd, p.timeline(),
                        WalFile.containing(commitEnd, p.timeline(), real.walSegmentSize()).name(), p.systemIdentifier(),
                        p.host(), p.port())).toList();
        Path file = cfg.storage().manifestDir().resolve(point + ".json");
        String original = Files.readString(file);
        // signed with the publisher's key: the RESTORE_POINT record check holds even for a correctly signed manifest
        ItSupport.writeSigned(cfg, new Manifest(point, real.createdAtUtc(), true, real.walSegmentSize(), moved,
                real.evidence()));
        try {
            Snapshot before = Snapshot.of(sandbox, cfg);
            ItSupport.Run r = dr(config, List.of());
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED manifest_invalid: " + point + ": restore LSN not the end of its "
                    + "RESTORE_POINT record in the archived WAL: instance 0: the record ending at " + commitEnd + " (starting at "),
                    r.output());
            assertTrue(r.out().contains(") is not a RESTORE_POINT (resource manager "), r.output());
            assertOnlyAReceiptAppeared(before, "manifest_invalid");
        } finally {
            AtomicFiles.write(file, original);
        }
        converge(point);
    }

    /**
     * Issue 14, errors: the real pg_controldata hangs on the local host (the copy's global/pg_control is a named pipe,
     * its open blocks). The probe's bound kills it and the cycle fails as {@code timeout}, naming the command still
     * running, never as host_unreachable with the script as its message.
     */
    @Test
    @Order(13)
    void aHungPgControldataOnTheLocalHostIsATimeoutNamingIt() throws Exception {
        String user = sandbox.serviceUser();
        Path copy = copyOfDrInstance0("hung-copy");
        try {
            run(user, "sh", "-c", "rm " + copy.resolve("global/pg_control") + " && mkfifo " + copy.resolve("global/pg_control"));
            Path pointed = configWith(root -> {
                ((ObjectNode) root.path("dr").path("instances").get(1)).put("data_dir", copy.toString());
                (root.has("ssh") ? (ObjectNode) root.path("ssh") : root.putObject("ssh")).put("command_timeout_secs", 3);
            }, "hung-controldata");
            publish("hung");
            Snapshot before = Snapshot.of(sandbox, cfg);
            ItSupport.Run r = dr(pointed, List.of());
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED timeout: probe on local"), r.output());
            assertTrue(r.out().contains("did not finish within 3 s and was killed (still running: pg_controldata"), r.output());
            assertFalse(r.out().contains("@@") || r.out().contains("probe()") || r.out().contains("host_unreachable"), r.output());
            assertOnlyAReceiptAppeared(before, "timeout");
        } finally {
            run(user, "rm", "-rf", copy.toString());
        }
        converge();
    }

    /**
     * Issue 14, bounded work: a READY manifest with a valid digest whose coordinator LSN is FFFFFFFF/FF000000 (it hung
     * the consumer for minutes enumerating WAL names) is refused at once as out of reach, before any WAL name is listed.
     */
    @Test
    @Order(11)
    void aTargetFarPastTheFloorsIsRefusedAtOnceBeforeAnyWalIsListed() throws Exception {
        Manifest latest = manifest(new StateStore(cfg.dr().stateDir()).current().orElseThrow());
        String name = "sync_point_29990101_000000";
        List<io.whpg.drsync.state.SegmentPoint> points = latest.segments().stream().map(p -> p.gpSegmentId() != -1 ? p
                : new io.whpg.drsync.state.SegmentPoint(-1, io.whpg.drsync.pg.Lsn.parse("FFFFFFFF/FF000000"), p.timeline(),
                        WalFile.containing(io.whpg.drsync.pg.Lsn.parse("FFFFFFFF/FF000000"), p.timeline(),
                                latest.walSegmentSize()).name(), p.systemIdentifier(), p.host(), p.port())).toList();
        Path file = cfg.storage().manifestDir().resolve(name + ".json");
        ItSupport.writeSigned(cfg, new Manifest(name, java.time.Instant.now(), true, latest.walSegmentSize(), points,
                latest.evidence()));
        try {
            Snapshot before = Snapshot.of(sandbox, cfg);
            long t0 = System.nanoTime();
            ItSupport.Run r = dr(config, List.of("--target", name));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED target_out_of_reach: instance -1: " + name + " is at FFFFFFFF/FF000000, "),
                    r.output());
            assertTrue(r.out().contains(" MB past where its replay begins ("), r.output());
            assertTrue(r.out().contains("), over behavior.max_replay_mb "), r.output());
            assertTrue(ms < 30_000, "took " + ms + " ms (a JVM start included)");
            assertOnlyAReceiptAppeared(before, "target_out_of_reach");
        } finally {
            Files.delete(file);
        }
    }

    /**
     * Issue 14, the wait itself: PostgreSQL 15 refuses {@code pg_ctl promote} while a recovery target is set (FATAL
     * "recovery ended before configured recovery target was reached"), and the prepare step refuses every setting
     * that would promote, so the wait is tested directly: a copy of segment 0's DR instance is started here with
     * {@code recovery_target = 'immediate'} and {@code recovery_target_action = 'promote'} (what a file edited between
     * the check and the start would do), really promotes, and the await script of the cycle stops it at once and
     * reports it as promoted; the consumer's verdict is {@code promoted}, never a WAL timeout.
     */
    @Test
    @Order(10)
    void anInstanceThatPromotesDuringTheWaitIsStoppedAtOnceAndReportedAsPromoted() throws Exception {
        String user = sandbox.serviceUser();
        Path copy = copyOfDrInstance0("promoting-copy");
        try {
            run(user, "sh", "-c", "printf \"recovery_target_lsn = ''\\nrecovery_target = 'immediate'\\n"
                    + "recovery_target_action = 'promote'\\n\" >> " + copy.resolve("postgresql.auto.conf"));
            io.whpg.drsync.pg.Lsn lsn = io.whpg.drsync.pg.Lsn.parse("0/0");
            PlannedStart plan = new PlannedStart(0, copy.toString(), 17_999, "", RecoveryTargetFile.settings(lsn, 1),
                    copy + "/log/promoting.log");
            run(user, PG_BIN + "/pg_ctl", "start", "-w", "-t", "60", "-D", copy.toString(), "-l", plan.logFile(),
                    "-o", "-c port=17999 -c archive_mode=off -c logging_collector=off");
            long t0 = System.nanoTime();
            CommandResult r = new LocalHostShell(user).run(HostScripts.await(PG_BIN, "x", List.of(plan), List.of(), 60),
                    Duration.ofSeconds(90));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(r.ok(), r.stdout() + r.stderr());
            ScriptOutput out = ScriptOutput.parse(r.stdout());
            String why = out.loose("promoted").orElseThrow(() -> new AssertionError("no promoted line: " + r.stdout() + r.stderr()));
            assertTrue(why.startsWith("0 standby.signal was removed"), why);
            assertTrue(why.contains("stopped at once (pg_ctl stop -m immediate, exit 0); PostgreSQL now reads "
                    + "recovery_target_action = 'promote', promote_trigger_file = ''"), why);
            assertTrue(ms < 30_000, "the wait ended after " + ms + " ms");
            assertFalse(out.block(0).orElseThrow().has("running"), r.stdout());
            assertTrue(out.block(0).orElseThrow().log().stream().anyMatch(l -> l.contains("selected new timeline")), r.stdout());
            ParkVerifier.Verdict v = ParkVerifier.promoted(0, why.substring(2), out.block(0).orElseThrow());
            assertEquals("promoted", v.status());
        } finally {
            ProcessRunner.run(List.of(PG_BIN + "/pg_ctl", "stop", "-m", "immediate", "-D", copy.toString()), user,
                    Duration.ofSeconds(60));
            run(user, "rm", "-rf", copy.toString());
        }
    }

    /** A copy of segment 0's stopped DR instance beside it, owned by the service user, for a test to spoil. */
    private static Path copyOfDrInstance0(String name) {
        Path copy = sandbox.drCopy(0).dataDir().resolveSibling("gpseg0-" + name);
        run(sandbox.serviceUser(), "cp", "-a", sandbox.drCopy(0).dataDir().toString(), copy.toString());
        return copy;
    }

    private static String publish(String note) throws Exception {
        for (SandboxInstance p : sandbox.primaries()) {
            try (Connection c = sandbox.connectPrimary(p.contentId()); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO dr_probe(note) VALUES ('" + note + "')");
            }
        }
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        JsonNode latest = Json.MAPPER.readTree(cfg.storage().latestPath().toFile());
        assertTrue(latest.path("ready").asBoolean(), latest.toString());
        return latest.path("restore_point").asText();
    }

    /**
     * FIFOs planted under the names the tool reads back (the state file, a receipt): once, either blocked the
     * reader forever (dr run holding the consumer lock, dr status). Now: one line, and dr status lists the rest.
     */
    @Test
    @Order(98)
    void fifosPlantedUnderTheToolsOwnFileNamesNeverBlock() throws Exception {
        Path stateFile = cfg.dr().stateDir().resolve(StateStore.FILE_NAME);
        String current = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        Path fifoReceipt = cfg.dr().receiptsDir().resolve("planted.receipt.json");
        Files.delete(stateFile);
        run("root", "mkfifo", stateFile.toString(), fifoReceipt.toString());
        try {
            ItSupport.Run r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> dr(config, List.of()));
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("FAILED state_unreadable: " + stateFile
                    + ": cannot read: not a regular file (a FIFO, socket or device) (torn or edited file)"), r.output());
            ItSupport.Run status = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> ItSupport.cli("dr", "status", "--config", config.toString(), "--include-history"));
            assertTrue(status.out().contains("planted.receipt.json"), status.output());
        } finally {
            Files.deleteIfExists(stateFile);
            Files.deleteIfExists(fifoReceipt);
            new StateStore(cfg.dr().stateDir()).advance(current);
        }
    }

    /**
     * Issue 14 item 7, on real full file systems (tmpfs mounts): a state write that fails after every instance was
     * verified withdraws the success receipt and fails as state_write_failed; a receipts dir that is full fails as
     * state_write_failed too. Each is exit 1 and one line, and no temp file is left. Last: the DR state is left behind.
     */
    @Test
    @Order(99)
    void aFullStateOrReceiptsDirNeverLeavesAReceiptClaimingAnAdvance() throws Exception {
        Path mounts = Files.createDirectories(cfg.dr().stateDir().resolveSibling("full-mounts"));
        Path stateFs = Files.createDirectories(mounts.resolve("state"));
        Path receiptsFs = Files.createDirectories(mounts.resolve("receipts"));
        run("root", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", stateFs.toString());
        try {
            run("root", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", receiptsFs.toString());
            try {
                // one page left: in_transit.json fits at departure, current_restore_point.txt does not at the end
                run("root", "sh", "-c", "dd if=/dev/zero of=" + stateFs + "/filler bs=4k 2>/dev/null; truncate -s -4K "
                        + stateFs + "/filler");
                publish("statefull");
                String point = ItSupport.latestReady(cfg);
                Path full = configWith(root -> ((ObjectNode) root.path("dr")).put("state_dir", stateFs.toString())
                        .put("lock_dir", cfg.dr().lockDir().toString()), "statefull");
                ItSupport.Run r = dr(full, List.of());
                assertEquals(1, r.exitCode(), r.output());
                assertEquals(List.of("FAILED state_write_failed: every instance verified parked at " + point
                        + " but the state could not be written, its success receipt was removed: " + stateFs
                        + "/" + StateStore.FILE_NAME + ": cannot write: No space left on device"), r.out().lines().limit(1).toList());
                assertTrue(r.out().lines().skip(1).toList().equals(List.of("receipt: " + cfg.dr().receiptsDir() + "/"
                        + r.out().split(cfg.dr().receiptsDir() + "/", 2)[1].strip())), r.output());
                assertFalse(Files.exists(cfg.dr().receiptsDir().resolve(point + ".receipt.json")), "no success receipt");
                try (var s = Files.list(cfg.dr().receiptsDir())) {
                    JsonNode failed = Json.MAPPER.readTree(s.filter(p -> p.getFileName().toString()
                            .startsWith(point + ".")).findFirst().orElseThrow().toFile());
                    assertEquals("state_write_failed", failed.path("status").asText());
                    assertFalse(failed.path("advanced").asBoolean(true));
                }
                try (var s = Files.list(stateFs)) {
                    assertEquals(List.of("filler", StateStore.TRANSIT_FILE_NAME),
                            s.map(p -> p.getFileName().toString()).sorted().toList(), "no temp file left");
                }

                run("root", "sh", "-c", "dd if=/dev/zero of=" + receiptsFs + "/filler bs=4k 2>/dev/null; true");
                publish("receiptsfull");
                String next = ItSupport.latestReady(cfg);
                Path fresh = Files.createDirectories(mounts.resolve("fresh-state"));
                Path noRoom = configWith(root -> ((ObjectNode) root.path("dr")).put("state_dir", fresh.toString())
                        .put("receipts_dir", receiptsFs.toString()), "receiptsfull");
                r = dr(noRoom, List.of());
                assertEquals(1, r.exitCode(), r.output());
                List<String> lines = r.out().lines().toList();
                assertEquals(1, lines.size(), r.output());
                assertTrue(lines.get(0).startsWith("FAILED state_write_failed: every instance verified parked at " + next
                        + " but the success receipt could not be written, state not advanced: " + receiptsFs + "/"), r.output());
                assertTrue(lines.get(0).contains(": cannot write: No space left on device; no receipt written: " + receiptsFs + "/"),
                        r.output());
                assertTrue(lines.get(0).endsWith(": cannot write: No space left on device"), r.output());
                assertFalse(r.output().contains("\tat "), "no stack trace: " + r.output());
                assertEquals(Optional.empty(), new StateStore(fresh).current());
                try (var s = Files.list(receiptsFs)) {
                    assertEquals(List.of("filler"), s.map(p -> p.getFileName().toString()).toList(), "no temp file left");
                }
            } finally {
                run("root", "umount", receiptsFs.toString());
            }
        } finally {
            run("root", "umount", stateFs.toString());
        }
    }

    private static void converge() throws Exception {
        converge(Json.MAPPER.readTree(cfg.storage().latestPath().toFile()).path("restore_point").asText());
    }

    /** A plain cycle parks every instance at {@code point}, verified from disk. */
    private static void converge(String point) throws Exception {
        ItSupport.Run r = dr(config, List.of());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(Optional.of(point), new StateStore(cfg.dr().stateDir()).current(), r.output());
        assertEquals(List.of(), Evidence.parkedAt(sandbox, point, cfg));
    }

    private static ItSupport.Run dr(Path configFile, List<String> extra) {
        List<String> args = new java.util.ArrayList<>(List.of("dr", "run", "--once", "--config", configFile.toString()));
        args.addAll(extra);
        return ItSupport.cli(args.toArray(String[]::new));
    }

    private static Manifest manifest(String point) throws Exception {
        return Evidence.manifests(cfg).read(point);
    }

    private static Path configWith(Consumer<ObjectNode> edit, String name) throws Exception {
        return ItSupport.edited(config, name, edit);
    }

    /** Nothing changed but one new failure receipt with {@code status}: no data dir, state or archive file. */
    private static void assertOnlyAReceiptAppeared(Snapshot before, String status) throws Exception {
        List<String> changes = before.changesUntil(Snapshot.of(sandbox, cfg));
        assertEquals(1, changes.size(), changes.toString());
        String only = changes.get(0);
        assertTrue(only.startsWith("created " + cfg.dr().receiptsDir() + "/") && only.endsWith("." + status + ".receipt.json"),
                only);
    }

    private static void run(String user, String... argv) {
        CommandResult r = ProcessRunner.run(List.of(argv), user, Duration.ofSeconds(120));
        assertTrue(r.ok(), String.join(" ", argv) + ": " + r.firstErrorLine());
    }
}
