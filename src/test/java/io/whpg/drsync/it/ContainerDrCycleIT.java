package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.containers.DrHostContainer;
import io.whpg.drsync.containers.RequiresContainerEngine;
import io.whpg.drsync.containers.SshKeyPair;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.SegmentPoint;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.lifecycle.Startables;

/**
 * The DR cycle across real, isolated DR hosts: the sandbox's primaries (coordinator + 4 segments) run on
 * this machine; their DR copies live in 3 containers, each with its own filesystem, processes, postgres
 * user and sshd, and nowhere else. The WAL archive reaches the containers read-only at the same path. The
 * tool reaches every host over SSH through its mapped port, checking host keys read from each container.
 */
@RequiresContainerEngine
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerDrCycleIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSegments(4));
    /** The instances (content ids) of each DR host: the coordinator alone, then two segments per host. */
    private static final List<List<Integer>> PLACEMENT = List.of(List.of(-1), List.of(0, 1), List.of(2, 3));
    private static final String PG_BIN = DrHostContainer.POSTGRES_BIN;

    private static Sandbox sandbox;
    private static Path sshDir;
    private static SshKeyPair clientKey;
    private static final List<DrHostContainer> HOSTS = new ArrayList<>();
    private static final Map<Integer, DrHostContainer> HOST_OF = new TreeMap<>();
    private static Path config;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void moveDrCopiesIntoHosts() throws Exception {
        sandbox = SANDBOX.sandbox();
        Path archive = sandbox.archiveDir(-1).getParent();
        int uid = (Integer) Files.getAttribute(archive, "unix:uid");
        int gid = (Integer) Files.getAttribute(archive, "unix:gid");
        sshDir = Files.createDirectories(sandbox.dir().resolve("ssh"));
        clientKey = SshKeyPair.generate(sshDir, "dr_sync_client");
        for (List<Integer> instances : PLACEMENT) {
            DrHostContainer host = new DrHostContainer().withAuthorizedKey(clientKey.publicKey())
                    .withPostgresIds(uid, gid).withReadOnlyDirectory(archive);
            HOSTS.add(host);
            instances.forEach(seg -> HOST_OF.put(seg, host));
        }
        long t0 = System.nanoTime();
        Startables.deepStart(HOSTS).join();
        long started = System.nanoTime();
        CompletableFuture.allOf(HOSTS.stream().map(host -> CompletableFuture.runAsync(() -> install(host)))
                .toArray(CompletableFuture[]::new)).join();
        System.out.printf("3 DR hosts started in %d ms, 5 DR copies moved into them in %d ms%n",
                (started - t0) / 1_000_000, (System.nanoTime() - started) / 1_000_000);
        config = writeConfig("dr_sync_config.containers.json", knownHosts("known_hosts", null));
        cfg = ConfigLoader.load(config);
    }

    private static void install(DrHostContainer host) {
        // Every DR copy's sandbox.conf names the sandbox's socket directory.
        host.createPostgresDir(sandbox.dir().resolve("run"));
        for (Map.Entry<Integer, DrHostContainer> e : HOST_OF.entrySet()) {
            if (e.getValue() != host) {
                continue;
            }
            Path dataDir = sandbox.drCopy(e.getKey()).dataDir();
            host.installDataDir(dataDir);
            try {
                // Gone from this machine: a step reading a local path instead of the remote one cannot pass.
                SandboxFixture.deleteTree(dataDir);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }

    @AfterAll
    static void stopHosts() {
        long t0 = System.nanoTime();
        CompletableFuture.allOf(HOSTS.stream().map(host -> CompletableFuture.runAsync(host::stop))
                .toArray(CompletableFuture[]::new)).join();
        System.out.printf("3 DR hosts removed in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    @Order(1)
    void fullCyclesAcrossThreeHostsParkEveryInstanceExactlyAtItsRestoreLsn() throws Exception {
        for (SandboxInstance copy : sandbox.drCopies()) {
            assertFalse(Files.exists(copy.dataDir()), copy.dataDir() + " must exist only inside its DR host");
        }
        Path archive = sandbox.archiveDir(-1).getParent();
        for (DrHostContainer host : HOSTS) {
            assertFalse(host.exec("root", "touch", archive.resolve("written-by-a-dr-host").toString()).ok(),
                    "the WAL archive must be read-only on " + host.getContainerName());
        }
        for (int round = 1; round <= 2; round++) {
            ItSupport.commitOnEveryPrimary(sandbox, "round-" + round);
            String point = publish();

            ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());

            assertEquals(0, dr.exitCode(), dr.output());
            assertEquals(point, currentPoint());
            JsonNode receipt = Json.MAPPER.readTree(cfg.dr().receiptsDir().resolve(point + ".receipt.json").toFile());
            assertEquals("reached_then_shutdown", receipt.path("status").asText(), receipt.toString());
            assertEquals(3, receipt.path("ssh_sessions").asInt(), "one SSH session per host per cycle: " + receipt);
            assertParkedAt(manifest(point));
        }

        ItSupport.Run status = ItSupport.cli("dr", "status", "--format", "json", "--config", config.toString());
        assertEquals(0, status.exitCode(), status.output());
        Manifest parked = manifest(currentPoint());
        for (JsonNode row : Json.MAPPER.readTree(status.out()).path("instances")) {
            int seg = row.path("gp_segment_id").asInt();
            assertEquals("postgres@localhost:" + HOST_OF.get(seg).sshPort(), row.path("host").asText(), row.toString());
            assertEquals(ControlData.SHUT_DOWN_IN_RECOVERY, row.path("state").asText(), row.toString());
            assertEquals(parked.segment(seg).orElseThrow().restoreLsn().toString(), row.path("floor").asText(), row.toString());
        }
    }

    @Test
    @Order(2)
    void hostKeyOtherThanTheContainersIsRefusedBeforeAnythingIsTouched() throws Exception {
        String before = currentPoint();
        String point = publish();
        DrHostContainer impostor = HOSTS.get(1);
        Path wrongKnownHosts = knownHosts("known_hosts.wrong", impostor);
        Path wrongConfig = writeConfig("dr_sync_config.wrong_host_key.json", wrongKnownHosts);

        ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", wrongConfig.toString());

        assertEquals(1, dr.exitCode(), dr.output());
        assertTrue(dr.output().contains("host_unreachable"), dr.output());
        assertTrue(dr.output().contains("host key for localhost:" + impostor.sshPort() + " does not match "
                + wrongKnownHosts), dr.output());
        assertTrue(dr.output().contains("refusing to connect"), dr.output());
        assertEquals(before, currentPoint());
        // Refused while probing, before a target was chosen: the receipt names no target.
        JsonNode receipt = receiptOf(dr);
        assertEquals("host_unreachable", receipt.path("status").asText(), receipt.toString());
        assertEquals("none", receipt.path("target_restore_point").asText(), receipt.toString());
        assertFalse(receipt.path("advanced").asBoolean(), receipt.toString());
        assertParkedAt(manifest(before));
        assertTrue(manifest(point).ready(), point + " stays available for the next cycle");
        for (int seg : HOST_OF.keySet()) {
            assertFalse(fileExistsIn(seg, "postmaster.pid"), "instance " + seg + " was started");
        }
    }

    @Test
    @Order(3)
    void hostLostMidCycleEndsWithoutAdvancingNamingTheHostAndTheNextCycleConverges() throws Exception {
        String before = currentPoint();
        ItSupport.commitOnEveryPrimary(sandbox, "before-host-loss");
        String point = publish();
        Manifest target = manifest(point);
        DrHostContainer lost = HOSTS.get(2);
        int lostPort = lost.sshPort();
        int held = PLACEMENT.get(2).get(0);
        // One instance of the doomed host cannot read its last WAL file, so it is surely still replaying
        // (and the cycle still waiting) when the host goes down; the listing still shows the file.
        Path withheld = sandbox.archiveDir(held).resolve(target.segment(held).orElseThrow().walFile());
        Files.setPosixFilePermissions(withheld, Set.of());
        try {
            CompletableFuture<ItSupport.Run> cycle = CompletableFuture.supplyAsync(
                    () -> ItSupport.cli("dr", "run", "--once", "--config", config.toString()));
            awaitTrue("instance " + held + " replaying on the host to lose while every other host's instances are parked",
                    () -> fileExistsIn(held, "postmaster.pid") && PLACEMENT.get(0).stream().allMatch(s -> parkedAt(s, target))
                            && PLACEMENT.get(1).stream().allMatch(s -> parkedAt(s, target)));
            long lostAt = System.nanoTime();
            lost.stopHost();

            ItSupport.Run dr = cycle.get(120, TimeUnit.SECONDS);
            long noticedMs = (System.nanoTime() - lostAt) / 1_000_000;

            assertEquals(1, dr.exitCode(), dr.output());
            assertTrue(dr.output().contains("FAILED host_unreachable"), dr.output());
            // Instances had started (some reached the point): the state names no point, the marker says why.
            StateStore state = new StateStore(cfg.dr().stateDir());
            assertEquals(java.util.Optional.empty(), state.current());
            assertEquals(java.util.Optional.of(before), state.transit().orElseThrow().from());
            assertEquals(point, state.transit().orElseThrow().to());
            JsonNode receipt = receiptOf(dr);
            assertEquals("host_unreachable", receipt.path("status").asText(), receipt.toString());
            assertEquals(point, receipt.path("target_restore_point").asText(), receipt.toString());
            assertFalse(receipt.path("advanced").asBoolean(), receipt.toString());
            String detail = receipt.path("detail").asText();
            assertTrue(detail.contains("postgres@localhost:" + lostPort), detail);
            for (int h = 0; h < 2; h++) {
                assertFalse(detail.contains("localhost:" + HOSTS.get(h).sshPort()), "names a host that was up: " + detail);
            }
            for (int seg : HOST_OF.keySet()) {
                if (HOST_OF.get(seg) != lost) {
                    assertTrue(parkedAt(seg, target) && !fileExistsIn(seg, "postmaster.pid"), "instance " + seg);
                }
            }
            System.out.println("host loss noticed " + noticedMs + " ms after the stop: " + detail);
        } finally {
            Files.setPosixFilePermissions(withheld, PosixFilePermissions.fromString("rw-------"));
        }

        lost.startAgain();
        // The engine may map another port after the restart; the host key stayed in the container.
        config = writeConfig("dr_sync_config.containers.json", knownHosts("known_hosts", null));
        ItSupport.Run again = ItSupport.cli("dr", "run", "--once", "--config", config.toString());

        assertEquals(0, again.exitCode(), again.output());
        assertEquals(point, currentPoint());
        assertParkedAt(target);
    }

    /** Every instance, seen from inside its own host: shut down in recovery exactly at its restore LSN, still a standby. */
    private static void assertParkedAt(Manifest m) {
        for (SegmentPoint s : m.segments()) {
            ControlData cd = controlData(s.gpSegmentId());
            String who = "instance " + s.gpSegmentId() + " in " + HOST_OF.get(s.gpSegmentId()).getContainerName();
            assertEquals(ControlData.SHUT_DOWN_IN_RECOVERY, cd.clusterState(), who);
            assertEquals(s.restoreLsn(), cd.minRecoveryEnd(), who + " at " + m.restorePoint());
            assertTrue(fileExistsIn(s.gpSegmentId(), "standby.signal"), who + " lost standby.signal");
            assertFalse(fileExistsIn(s.gpSegmentId(), "postmaster.pid"), who + " left running");
        }
    }

    private static boolean parkedAt(int seg, Manifest m) {
        ControlData cd = controlData(seg);
        Lsn lsn = m.segment(seg).orElseThrow().restoreLsn();
        return cd.isShutDownInRecovery() && lsn.equals(cd.minRecoveryEnd());
    }

    private static ControlData controlData(int seg) {
        CommandResult r = HOST_OF.get(seg).exec(DrHostContainer.LOGIN_USER, "env", "LC_ALL=C", PG_BIN + "/pg_controldata",
                sandbox.drCopy(seg).dataDir().toString());
        assertEquals(0, r.exitCode(), r::firstErrorLine);
        return ControlData.parse(r.stdout());
    }

    private static boolean fileExistsIn(int seg, String name) {
        return HOST_OF.get(seg).exec(DrHostContainer.LOGIN_USER, "test", "-e",
                sandbox.drCopy(seg).dataDir().resolve(name).toString()).ok();
    }

    /** known_hosts with each host's key read from the container itself; {@code impostor} gets someone else's key. */
    private static Path knownHosts(String name, DrHostContainer impostor) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (DrHostContainer h : HOSTS) {
            if (h == impostor) {
                String otherKey = SshKeyPair.generate(sshDir, "impostor_host_key").publicKey().split(" ")[1];
                sb.append("[").append(h.getHost()).append("]:").append(h.sshPort()).append(" ssh-ed25519 ").append(otherKey);
            } else {
                sb.append(h.knownHostsLine());
            }
            sb.append('\n');
        }
        Path file = sshDir.resolve(name);
        AtomicFiles.write(file, sb.toString());
        return file;
    }

    /** The sandbox's config with every DR instance remote: localhost through its host's mapped SSH port. */
    private static Path writeConfig(String name, Path knownHosts) throws Exception {
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(sandbox.configFile().toFile());
        for (JsonNode node : root.path("dr").path("instances")) {
            ObjectNode i = (ObjectNode) node;
            i.put("is_local", false);
            i.put("host", "localhost");
            i.put("ssh_port", HOST_OF.get(i.path("gp_segment_id").asInt()).sshPort());
        }
        ObjectNode ssh = root.putObject("ssh");
        ssh.put("user", DrHostContainer.LOGIN_USER);
        ssh.put("identity", clientKey.privateKey().toString());
        ssh.put("known_hosts", knownHosts.toString());
        ssh.put("connect_timeout_secs", 5);
        ssh.put("command_timeout_secs", 30);
        ssh.put("retries", 1);
        ((ObjectNode) root.path("behavior")).put("consumer_wait_reach_secs", 45);
        Path file = sandbox.dir().resolve(name);
        AtomicFiles.write(file, Json.pretty(root));
        return file;
    }

    private static String publish() throws Exception {
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        JsonNode latest = Json.MAPPER.readTree(cfg.storage().latestPath().toFile());
        assertTrue(latest.path("ready").asBoolean(), latest.toString());
        return latest.path("restore_point").asText();
    }

    private static Manifest manifest(String point) throws Exception {
        return new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath()).read(point);
    }

    private static String currentPoint() throws Exception {
        return new StateStore(cfg.dr().stateDir()).current().orElseThrow();
    }

    /** The receipt a {@code dr run --once} names on its {@code receipt: PATH} line. */
    private static JsonNode receiptOf(ItSupport.Run run) throws Exception {
        String path = run.out().lines().filter(l -> l.startsWith("receipt: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no receipt line in: " + run.output())).substring("receipt: ".length());
        return Json.MAPPER.readTree(Path.of(path).toFile());
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 60 s: " + what);
            }
            Thread.sleep(200);
        }
    }
}
