package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.sandbox.SandboxSshHost;
import io.whpg.drsync.sandbox.SandboxStatus;
import io.whpg.drsync.sandbox.SshKeys;
import io.whpg.drsync.sandbox.SshdLogs;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.SegmentPoint;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DR cycle over real OpenSSH: a coordinator and 4 segments whose DR copies sit behind 3 sandbox sshd
 * servers (127.0.0.2: -1, 2; 127.0.0.3: 0, 3; 127.0.0.4: 1), host keys verified against the sandbox's
 * known_hosts. Two rounds parked exactly at their points with one SSH session per host per cycle; then a
 * wrong host key, a stopped host, and a data directory whose name a shell would act on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrCycleSshIT {
    private static final Logger LOG = LoggerFactory.getLogger(DrCycleSshIT.class);
    private static final int HOSTS = 3;
    private static final String HOSTILE_NAME = "dr data 'x' $HOME; echo";

    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSegments(4).withSshHosts(HOSTS));
    private static Sandbox sandbox;
    private static Path config;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void load() throws Exception {
        sandbox = SANDBOX.sandbox();
        config = sandbox.configFile();
        cfg = ConfigLoader.load(config);
        assertEquals(List.of(List.of(-1, 2), List.of(0, 3), List.of(1)),
                sandbox.sshHosts().stream().map(SandboxSshHost::drContentIds).toList());
        for (Instance i : cfg.dr().instances()) {
            SandboxSshHost h = hostOf(i.gpSegmentId());
            assertFalse(i.isLocal(), "instance " + i.gpSegmentId());
            assertEquals(h.address(), i.host());
            assertEquals(h.port(), i.sshPort());
        }
        assertEquals(sandbox.dir().resolve("ssh/known_hosts"), cfg.ssh().knownHosts());
        assertEquals(sandbox.serviceUser(), cfg.ssh().user());
    }

    @Test
    @Order(1)
    void twoRoundsParkEveryInstanceAtItsPointWithOneSshSessionPerHostPerCycle() throws Exception {
        for (int round = 1; round <= 2; round++) {
            ItSupport.commitOnEveryPrimary(sandbox, "before-" + round);
            String point = publish();
            ItSupport.commitOnEveryPrimary(sandbox, "after-" + round);

            Map<String, Long> loginsBefore = loginsPerHost();
            long started = System.nanoTime();
            ItSupport.Run dr = drRunOnce(config);
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(0, dr.exitCode(), dr.output());
            assertEquals(point, currentPoint());
            JsonNode receipt = Json.MAPPER.readTree(cfg.dr().receiptsDir().resolve(point + ".receipt.json").toFile());
            assertEquals("reached_then_shutdown", receipt.path("status").asText());
            assertEquals(HOSTS, receipt.path("ssh_sessions").asInt(), receipt.toString());
            Map<String, Long> loginsAfter = loginsPerHost();
            for (SandboxSshHost h : sandbox.sshHosts()) {
                assertEquals(loginsBefore.get(h.address()) + 1, loginsAfter.get(h.address()),
                        "sshd " + h.address() + " accepted exactly one login this cycle");
            }
            LOG.info("round {}: dr run --once over {} SSH hosts took {} ms with {} SSH sessions (steps {})", round, HOSTS,
                    millis, receipt.path("ssh_sessions").asInt(), receipt.path("step_ms"));
            for (JsonNode n : receipt.path("instances")) {
                SandboxSshHost h = hostOf(n.path("gp_segment_id").asInt());
                assertEquals(sandbox.serviceUser() + "@" + h.address() + ":" + h.port(), n.path("host").asText());
            }

            Manifest m = manifests().read(point);
            for (SegmentPoint s : m.segments()) {
                SandboxInstance copy = sandbox.drCopy(s.gpSegmentId());
                assertParkedAt(copy.dataDir(), s);
                Set<String> notes = ItSupport.rowsAtParkedPoint(sandbox, copy, s.restoreLsn());
                for (int r = 1; r <= round; r++) {
                    assertTrue(notes.contains("before-" + r), "instance " + s.gpSegmentId() + " lacks before-" + r + ": " + notes);
                }
                for (int r = 1; r < round; r++) {
                    assertTrue(notes.contains("after-" + r), "instance " + s.gpSegmentId() + " lacks after-" + r);
                }
                assertFalse(notes.contains("after-" + round), "instance " + s.gpSegmentId() + " went past the point: " + notes);
            }
        }

        ItSupport.Run status = ItSupport.cli("dr", "status", "--config", config.toString(), "--format", "json");
        assertEquals(0, status.exitCode(), status.output());
        JsonNode doc = Json.MAPPER.readTree(status.out());
        assertEquals(currentPoint(), doc.path("current_restore_point").asText());
        assertEquals(5, doc.path("instances").size());
        for (JsonNode row : doc.path("instances")) {
            SandboxSshHost h = hostOf(row.path("gp_segment_id").asInt());
            assertEquals(sandbox.serviceUser() + "@" + h.address() + ":" + h.port(), row.path("host").asText());
            assertEquals("shut down in recovery", row.path("state").asText(), row.toString());
        }
    }

    @Test
    @Order(2)
    void aWrongHostKeyIsRefusedNamingTheHostAndNothingChanges() throws Exception {
        String before = currentPoint();
        ItSupport.commitOnEveryPrimary(sandbox, "pending");
        publish();
        SandboxSshHost victim = sandbox.sshHosts().get(1);
        Path impostorKey = sandbox.dir().resolve("impostor_host_key");
        String impostor = SshKeys.generate(impostorKey, "ecdsa", null).publicKey();
        String known = Files.readString(cfg.ssh().knownHosts());
        String victimLine = known.lines().filter(l -> l.startsWith("[" + victim.address() + "]:")).findFirst().orElseThrow();
        assertTrue(victimLine.contains(" ecdsa-sha2-nistp256 "), "the impostor has the same key type: " + victimLine);
        Path wrongKnownHosts = sandbox.dir().resolve("known_hosts.wrong");
        Files.writeString(wrongKnownHosts, known.replace(victimLine,
                SshKeys.knownHostsLine(victim.address(), victim.port(), impostor)));
        Path wrongKeyConfig = ItSupport.edited(config, "wrong-host-key",
                root -> ((ObjectNode) root.path("ssh")).put("known_hosts", wrongKnownHosts.toString()));
        Map<Integer, ControlData> parked = controlDataOfEveryCopy();

        ItSupport.Run dr = drRunOnce(wrongKeyConfig);

        assertEquals(1, dr.exitCode(), dr.output());
        assertTrue(dr.output().contains("FAILED host_unreachable"), dr.output());
        assertTrue(dr.output().contains("host key for " + victim.address() + ":" + victim.port() + " does not match "
                + wrongKnownHosts), dr.output());
        assertTrue(dr.output().contains("refusing to connect"), dr.output());
        assertEquals(before, currentPoint());
        assertNothingRunningAndStillParkedAsBefore(parked);
        assertEquals(1, receiptsWithStatus("host_unreachable"));
    }

    @Test
    @Order(3)
    void aStoppedHostIsReportedWithHostAndPortAndTheCycleConvergesOnceItIsBack() throws Exception {
        String before = currentPoint();
        String pending = ItSupport.latestReady(cfg);
        SandboxSshHost victim = sandbox.sshHosts().get(2);
        ProcessHandle sshd = ProcessHandle.of(victim.pid()).orElseThrow();
        sshd.destroy();
        sshd.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        SandboxStatus.SshHostStatus seen = Sandbox.open(sandbox.dir()).status().sshHosts().get(2);
        assertEquals(victim.address(), seen.address());
        assertFalse(seen.running(), "sandbox status shows the stopped sshd");
        Map<Integer, ControlData> parked = controlDataOfEveryCopy();

        ItSupport.Run dr = drRunOnce(config);

        assertEquals(1, dr.exitCode(), dr.output());
        assertTrue(dr.output().contains("FAILED host_unreachable"), dr.output());
        assertTrue(dr.output().contains("cannot reach DR host " + victim.address() + ":" + victim.port()), dr.output());
        assertEquals(before, currentPoint());
        assertNothingRunningAndStillParkedAsBefore(parked);
        assertEquals(2, receiptsWithStatus("host_unreachable"));

        SandboxSshHost back = sandbox.restartSshHost(victim.address());
        assertEquals(victim.port(), back.port());
        assertTrue(Sandbox.open(sandbox.dir()).status().sshHosts().get(2).running());
        ItSupport.Run retry = drRunOnce(config);
        assertEquals(0, retry.exitCode(), retry.output());
        assertEquals(pending, currentPoint());
        JsonNode receipt = Json.MAPPER.readTree(cfg.dr().receiptsDir().resolve(pending + ".receipt.json").toFile());
        assertEquals(HOSTS, receipt.path("ssh_sessions").asInt());
        assertEquals(1, SshdLogs.acceptedLogins(sandbox.sshdLog(victim.address()), sandbox.serviceUser()));
    }

    @Test
    @Order(4)
    void aDataDirNamedWithQuoteDollarSemicolonAndSpacesIsParkedOverSsh() throws Exception {
        SandboxInstance copy = sandbox.drCopy(3);
        Path hostile = copy.dataDir().resolveSibling(HOSTILE_NAME);
        Files.move(copy.dataDir(), hostile);
        try {
            Path hostileConfig = ItSupport.edited(config, "hostile-data-dir", root -> {
                for (JsonNode i : root.path("dr").path("instances")) {
                    if (i.path("gp_segment_id").asInt() == 3) {
                        ((ObjectNode) i).put("data_dir", hostile.toString());
                    }
                }
            });
            ItSupport.commitOnEveryPrimary(sandbox, "hostile");
            String point = publish();

            ItSupport.Run dr = drRunOnce(hostileConfig);

            assertEquals(0, dr.exitCode(), dr.output());
            assertEquals(point, currentPoint());
            SegmentPoint s = manifests().read(point).segment(3).orElseThrow();
            assertParkedAt(hostile, s);
            try (Stream<Path> logs = Files.list(hostile.resolve("log"))) {
                assertTrue(logs.anyMatch(l -> l.getFileName().toString().startsWith("whpg_dr_sync-" + point)));
            }
            SandboxInstance moved = new SandboxInstance(3, copy.port(), hostile, copy.osUser());
            assertTrue(ItSupport.rowsAtParkedPoint(sandbox, moved, s.restoreLsn()).contains("hostile"));
            try (Stream<Path> siblings = Files.list(hostile.getParent())) {
                assertEquals(List.of(), siblings.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("dr data") && !n.equals(HOSTILE_NAME)).toList(),
                        "no path was made from a half-expanded name");
            }
        } finally {
            if (Files.exists(hostile.resolve("postmaster.pid"))) {
                ProcessRunner.run(List.of(Sandbox.PG_BIN.resolve("pg_ctl").toString(), "stop", "-m", "fast", "-w", "-D",
                        hostile.toString()), sandbox.serviceUser(), Duration.ofSeconds(60));
            }
            Files.move(hostile, copy.dataDir());
        }
        ItSupport.Run again = drRunOnce(config);
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(again.output().contains("nothing to do"), again.output());
    }

    @Test
    @Order(5)
    void theSandboxCliShowsTheSshHostsAndRefusesMoreHostsThanInstances() {
        ItSupport.Run status = ItSupport.cli("sandbox", "status", "--dir", sandbox.dir().toString());
        assertEquals(0, status.exitCode(), status.output());
        for (SandboxSshHost h : sandbox.sshHosts()) {
            assertTrue(status.out().lines().anyMatch(l -> l.matches(h.address().replace(".", "\\.") + " +" + h.port()
                    + " +yes +[0-9]+ +" + h.drContentIds().stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(",")))), status.out());
        }
        ItSupport.Run tooMany = ItSupport.cli("sandbox", "up", "--dir", sandbox.dir().resolve("unused").toString(),
                "--segments", "2", "--hosts", "4");
        assertEquals(2, tooMany.exitCode(), tooMany.output());
        assertEquals("whpg_dr_sync: hosts: must be between 0 and the number of DR instances (3 with 2 segments), got 4\n",
                tooMany.err());
        assertFalse(Files.exists(sandbox.dir().resolve("unused")));
    }

    /**
     * The daemon keeps one session per host for its life: several cycles, one login per host. A host that goes
     * away (its sshd and every session killed) fails the cycles naming it, and is picked up, with a new login
     * whose host key is checked again, when it comes back, without a restart; stopping the daemon ends its sessions.
     */
    @Test
    @Order(6)
    void theDaemonKeepsOneSessionPerHostAcrossCyclesAndPicksUpAHostThatCameBack() throws Exception {
        Path everySecond = ItSupport.edited(config, "daemon-every-second",
                root -> ((ObjectNode) root.path("behavior")).put("consumer_sleep_secs", 1));
        Map<String, Long> loginsBefore = loginsPerHost();
        SandboxSshHost victim = sandbox.sshHosts().get(2);
        try (ToolProcess daemon = ToolProcess.start("dr", "run", "--config", everySecond.toString())) {
            assertTrue(daemon.awaitLine(l -> count(daemon, ".*nothing to do.*") >= 4, Duration.ofSeconds(90)), daemon.output());
            assertEquals(HOSTS, count(daemon, ".*SSH session \\d+ opened to .*"), daemon.stderr());
            Map<String, Long> loginsAfter = loginsPerHost();
            for (SandboxSshHost h : sandbox.sshHosts()) {
                assertEquals(loginsBefore.get(h.address()) + 1, loginsAfter.get(h.address()), "one login to " + h.address());
            }

            ProcessHandle sshd = ProcessHandle.of(victim.pid()).orElseThrow();
            sshd.descendants().forEach(ProcessHandle::destroyForcibly); // the daemon's session too: the host is gone
            sshd.destroy();
            sshd.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            String unreachable = "cannot reach DR host " + victim.address() + ":" + victim.port();
            assertTrue(daemon.awaitLine(l -> l.contains(unreachable), Duration.ofSeconds(60)), daemon.output());

            SandboxSshHost back = sandbox.restartSshHost(victim.address());
            ItSupport.commitOnEveryPrimary(sandbox, "while-daemon");
            String point = publish();
            assertTrue(daemon.awaitLine(l -> l.contains("advanced to " + point), Duration.ofSeconds(90)), daemon.output());
            assertEquals(point, currentPoint());
            assertEquals(HOSTS + 1, count(daemon, ".*SSH session \\d+ opened to .*"), "one more login, to the host that came back:\n"
                    + daemon.stderr());
            assertEquals(1, SshdLogs.acceptedLogins(sandbox.sshdLog(back.address()), sandbox.serviceUser()),
                    "the restarted sshd accepted exactly one login");

            int exit = daemon.terminate(Duration.ofSeconds(60));
            assertTrue(exit == 0 || exit == 143, "SIGTERM ends the daemon cleanly: " + exit + "\n" + daemon.output());
        }
        for (SandboxSshHost h : sandbox.sshHosts()) {
            ProcessHandle listener = ProcessHandle.of(h.pid()).orElseThrow();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (listener.descendants().findAny().isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(List.of(), listener.descendants().map(ProcessHandle::pid).toList(),
                    "a session to " + h.address() + " outlived the daemon");
        }
    }

    private static long count(ToolProcess p, String regex) {
        return p.stderr().lines().filter(l -> l.matches(regex)).count();
    }

    private static ItSupport.Run drRunOnce(Path configFile) {
        return ItSupport.cli("dr", "run", "--once", "--config", configFile.toString());
    }

    private static void assertParkedAt(Path dataDir, SegmentPoint s) throws Exception {
        ControlData cd = ItSupport.controlData(sandbox, dataDir);
        assertTrue(cd.isShutDownInRecovery(), "instance " + s.gpSegmentId() + ": " + cd.clusterState());
        assertEquals(s.restoreLsn(), cd.minRecoveryEnd(), "instance " + s.gpSegmentId());
        assertFalse(Files.exists(dataDir.resolve("postmaster.pid")), "instance " + s.gpSegmentId() + " left running");
    }

    private static Map<Integer, ControlData> controlDataOfEveryCopy() {
        Map<Integer, ControlData> result = new HashMap<>();
        for (SandboxInstance i : sandbox.drCopies()) {
            result.put(i.contentId(), ItSupport.controlData(sandbox, i.dataDir()));
        }
        return result;
    }

    /** No DR instance was started: none runs and each pg_control still says what it said before the cycle. */
    private static void assertNothingRunningAndStillParkedAsBefore(Map<Integer, ControlData> before) {
        for (SandboxInstance i : sandbox.drCopies()) {
            assertFalse(Files.exists(i.dataDir().resolve("postmaster.pid")), "instance " + i.contentId() + " running");
            ControlData now = ItSupport.controlData(sandbox, i.dataDir());
            assertTrue(now.isShutDownInRecovery(), "instance " + i.contentId() + ": " + now.clusterState());
            assertEquals(before.get(i.contentId()).minRecoveryEnd(), now.minRecoveryEnd(), "instance " + i.contentId());
        }
    }

    private static long receiptsWithStatus(String status) throws Exception {
        try (Stream<Path> s = Files.list(cfg.dr().receiptsDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith("." + status + ".receipt.json")).count();
        }
    }

    private static Map<String, Long> loginsPerHost() throws Exception {
        Map<String, Long> logins = new HashMap<>();
        for (SandboxSshHost h : sandbox.sshHosts()) {
            logins.put(h.address(), SshdLogs.acceptedLogins(sandbox.sshdLog(h.address()), sandbox.serviceUser()));
        }
        return logins;
    }

    private static SandboxSshHost hostOf(int contentId) {
        return sandbox.sshHosts().stream().filter(h -> h.drContentIds().contains(contentId)).findFirst().orElseThrow();
    }

    private static String currentPoint() throws Exception {
        return new StateStore(cfg.dr().stateDir()).current().orElse(null);
    }

    private static ManifestStore manifests() {
        return new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath());
    }

    private static String publish() throws Exception {
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        return ItSupport.latestReady(cfg);
    }
}
