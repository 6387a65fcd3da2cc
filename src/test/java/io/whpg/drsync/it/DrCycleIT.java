package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.dr.HostScripts;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.SegmentPoint;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The DR cycle end to end on a real sandbox (coordinator + 2 segments): three rounds of publish and
 * consume, each DR instance checked to stop exactly at its restore LSN with exactly the rows committed
 * before the point; then a WAL file missing from the archive, and one the DR host cannot read.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrCycleIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());
    private static Sandbox sandbox;
    private static Path config;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void load() throws Exception {
        sandbox = SANDBOX.sandbox();
        config = sandbox.configFile();
        cfg = ConfigLoader.load(config);
    }

    @Test
    @Order(1)
    void threeRoundsParkEveryInstanceExactlyAtItsRestorePoint() throws Exception {
        for (int round = 1; round <= 3; round++) {
            ItSupport.commitOnEveryPrimary(sandbox, "before-" + round);
            ItSupport.Run published = ItSupport.publish(config);
            assertEquals(0, published.exitCode(), published.output());
            String point = ItSupport.latestReady(cfg);
            ItSupport.commitOnEveryPrimary(sandbox, "after-" + round);

            ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
            assertEquals(0, dr.exitCode(), dr.output());
            assertEquals(point, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
            assertTrue(Files.exists(cfg.dr().receiptsDir().resolve(point + ".receipt.json")));
            JsonNode receipt = Json.MAPPER.readTree(cfg.dr().receiptsDir().resolve(point + ".receipt.json").toFile());
            assertEquals("reached_then_shutdown", receipt.path("status").asText());

            Manifest m = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath()).read(point);
            for (SegmentPoint s : m.segments()) {
                SandboxInstance dr0 = sandbox.drCopy(s.gpSegmentId());
                ControlData cd = ItSupport.controlData(sandbox, dr0.dataDir());
                assertTrue(cd.isShutDownInRecovery(), "instance " + s.gpSegmentId() + ": " + cd.clusterState());
                assertEquals(s.restoreLsn(), cd.minRecoveryEnd(), "instance " + s.gpSegmentId());
                Set<String> notes = ItSupport.rowsAtParkedPoint(sandbox, dr0, s.restoreLsn());
                for (int r = 1; r <= round; r++) {
                    assertTrue(notes.contains("before-" + r), "instance " + s.gpSegmentId() + " lacks before-" + r + ": " + notes);
                }
                for (int r = 1; r < round; r++) {
                    assertTrue(notes.contains("after-" + r), "instance " + s.gpSegmentId() + " lacks after-" + r);
                }
                assertFalse(notes.contains("after-" + round), "instance " + s.gpSegmentId() + " went past the point: " + notes);
            }
        }
        ItSupport.Run again = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(again.output().contains("nothing to do"), again.output());
    }

    @Test
    @Order(2)
    void walFileMissingFromArchiveStopsTheCycleBeforeAnyStartAndRecovers() throws Exception {
        String before = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        ItSupport.commitOnEveryPrimary(sandbox, "gap");
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        String point = ItSupport.latestReady(cfg);
        String file = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath()).read(point)
                .segment(0).orElseThrow().walFile();
        Path archived = cfg.archive().dirFor(0).resolve(file);
        Path aside = archived.resolveSibling(file + ".aside");
        Files.move(archived, aside);

        ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(1, dr.exitCode(), dr.output());
        assertTrue(dr.output().contains("wal_missing") && dr.output().contains(file), dr.output());
        assertEquals(before, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
        for (SandboxInstance i : sandbox.drCopies()) {
            assertTrue(ItSupport.controlData(sandbox, i.dataDir()).isShutDownInRecovery());
            assertFalse(Files.exists(i.dataDir().resolve("postmaster.pid")));
        }

        Files.move(aside, archived);
        ItSupport.Run retry = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(0, retry.exitCode(), retry.output());
        assertEquals(point, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
    }

    @Test
    @Order(3)
    void unreadableWalFileTimesOutNamingItLeavesEveryInstanceStoppedAndTheStateNamingNoPoint() throws Exception {
        Path shortWait = ItSupport.withBehavior(config, "consumer_wait_reach_secs", 6);
        String before = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        ItSupport.commitOnEveryPrimary(sandbox, "unreadable");
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        String point = ItSupport.latestReady(cfg);
        Manifest m = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath()).read(point);
        String file = m.segment(0).orElseThrow().walFile();
        Path archived = cfg.archive().dirFor(0).resolve(file);
        // The listing still shows the file; only the DR host's restore_command cannot read it.
        Files.setPosixFilePermissions(archived, Set.of());

        ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", shortWait.toString());
        assertEquals(1, dr.exitCode(), dr.output());
        assertTrue(dr.output().contains("timeout_waiting_for_wal"), dr.output());
        assertTrue(dr.output().contains(file), dr.output());
        // Two instances reached the point, one stopped short of it: the state names no point, the marker says why.
        StateStore state = new StateStore(cfg.dr().stateDir());
        assertEquals(Optional.empty(), state.current());
        assertEquals(Optional.of(before), state.transit().orElseThrow().from());
        assertEquals(point, state.transit().orElseThrow().to());
        List<Path> receipts;
        try (var s = Files.list(cfg.dr().receiptsDir())) {
            receipts = s.filter(p -> p.getFileName().toString().startsWith(point + ".")
                    && p.getFileName().toString().contains("timeout_waiting_for_wal")).collect(Collectors.toList());
        }
        assertEquals(1, receipts.size());
        for (SandboxInstance i : sandbox.drCopies()) {
            assertFalse(Files.exists(i.dataDir().resolve("postmaster.pid")), "instance " + i.contentId() + " left running");
            assertTrue(ItSupport.controlData(sandbox, i.dataDir()).isShutDownInRecovery());
            assertTrue(Files.exists(i.dataDir().resolve(HostScripts.RECOVERY_CONF)));
        }

        Files.setPosixFilePermissions(archived, PosixFilePermissions.fromString("rw-------"));
        ItSupport.Run retry = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(0, retry.exitCode(), retry.output());
        assertEquals(point, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
    }

    /**
     * A DR copy someone started by hand (a hot standby with no target) is refused before anything is
     * touched, and the refusal says, from SQL, how far it has replayed.
     */
    @Test
    @Order(4)
    void aDrInstanceStartedByHandIsRefusedWithItsSqlFloor() throws Exception {
        SandboxInstance dr1 = sandbox.drCopy(1);
        Path copyConf = dr1.dataDir().resolve(HostScripts.RECOVERY_CONF);
        String ours = Files.readString(copyConf);
        ItSupport.runAs(sandbox.serviceUser(), "sh", "-c", ": > '" + copyConf + "'");
        ItSupport.runAs(sandbox.serviceUser(), "/usr/lib/postgresql/15/bin/pg_ctl", "start", "-w", "-D", dr1.dataDir().toString(),
                "-l", dr1.dataDir().resolve("log/by-hand.log").toString());
        try {
            String before = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
            ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
            assertEquals(1, dr.exitCode(), dr.output());
            assertTrue(dr.output().contains("instance_not_parked"), dr.output());
            assertTrue(dr.output().matches("(?s).*instance 1: is running \\(postmaster pid \\d+\\), in recovery, replayed to [0-9A-F]+/[0-9A-F]+ \\(SQL\\).*"),
                    dr.output());
            assertEquals(before, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
            assertEquals("", Files.readString(copyConf), "the refused instance was not touched");
        } finally {
            ItSupport.runAs(sandbox.serviceUser(), "/usr/lib/postgresql/15/bin/pg_ctl", "stop", "-m", "fast", "-w", "-D",
                    dr1.dataDir().toString());
            ItSupport.runAs(sandbox.serviceUser(), "sh", "-c", "printf '%s' '" + ours.replace("'", "'\\''") + "' > '" + copyConf + "'");
        }
    }
}
