package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.route.ConsumerLock;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One cycle at a time, with real processes on a real sandbox: a second {@code --once} beside a daemon exits
 * 1 at once and touches nothing; a second daemon runs no cycle until the first is killed, then takes over;
 * neither daemon starts a cycle while its previous one still runs; a cluster service declared in
 * routes/*.yaml replaces the file lock.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OneAtATimeIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSegments(1));
    private static final Predicate<String> CYCLE_STEP = l -> l.contains("HostRunner - probe on ");
    private static final Pattern STAMP = Pattern.compile("^(\\S+) ");

    private static Sandbox sandbox;
    private static String everySecond;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void load() throws Exception {
        sandbox = SANDBOX.sandbox();
        Path copy = ItSupport.edited(sandbox.configFile(), "every-second", root -> ((ObjectNode) root.path("behavior"))
                .put("consumer_sleep_secs", 1).put("publisher_sleep_secs", 1).put("publisher_wait_archive_secs", 3));
        everySecond = copy.toString();
        cfg = ConfigLoader.load(copy);
        ItSupport.Run published = ItSupport.publish(sandbox.configFile());
        assertEquals(0, published.exitCode(), published.output());
    }

    @Test
    @Order(1)
    void aSecondConsumerBesideADaemonIsRefusedAtOnceAndTheSecondDaemonTakesOverOnlyAfterTheFirstIsKilled()
            throws Exception {
        try (ToolProcess first = ToolProcess.start("dr", "run", "--config", everySecond)) {
            // The first cycle starts both instances from their base backups: longer than the 1 s period.
            assertTrue(first.awaitLine(l -> l.contains("advanced to "), Duration.ofSeconds(60)), first.output());
            Snapshot before = Snapshot.of(sandbox, cfg);

            long t0 = System.nanoTime();
            ToolProcess once = ToolProcess.run(Duration.ofSeconds(60), "dr", "run", "--once", "--config", everySecond);
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, once.exitCode(), once.output());
            assertEquals("FAILED consumer_locked: another consumer is running on this DR cluster (it holds the lock "
                    + ConsumerLock.NAMESPACE + " in " + cfg.dr().lockDir() + "): nothing was done", once.stdout());
            assertFalse(once.stderr().lines().anyMatch(CYCLE_STEP), once.stderr());
            // at once: JVM start-up only, no wait for the lock (it was 6 s and more)
            assertTrue(tookMillis < 5_000, "refused after " + tookMillis + " ms");

            try (ToolProcess second = ToolProcess.start("dr", "run", "--config", everySecond)) {
                // The first keeps cycling every second; the second must not run a single step meanwhile.
                Thread.sleep(4000);
                assertFalse(second.stderr().lines().anyMatch(CYCLE_STEP), second.stderr());
                assertTrue(first.stderr().lines().filter(l -> l.contains("nothing to do")).count() >= 3, first.stderr());
                // One cycle at a time inside the daemon too: its later ticks never met the first cycle's servers.
                assertEquals(1, first.stderr().lines().filter(l -> l.contains("advanced to ")).count(), first.stderr());
                assertFalse(first.stderr().contains("still running towards"), first.stderr());
                before.assertNothingChanged(sandbox, cfg, "the daemon has nothing to do and the refused consumer did nothing");

                first.kill();
                Instant killedAt = Instant.now();
                assertTrue(second.awaitLine(CYCLE_STEP, Duration.ofSeconds(20)), second.output());
                String line = second.stderr().lines().filter(CYCLE_STEP).findFirst().orElseThrow();
                Matcher m = STAMP.matcher(line);
                assertTrue(m.find(), line);
                assertTrue(Instant.parse(m.group(1)).isAfter(killedAt), "second consumer acted at " + m.group(1)
                        + ", before the first was killed at " + killedAt);
            }
        }
    }

    /**
     * A publish waiting for its archive (3 s here) outlasts the 1 s period: the next one waits for it. Every
     * publish logs either its restore point or its failure (here, once the archiver has failed: refused
     * before any point), so no such line may fall between the first point and the end of its wait.
     */
    @Test
    @Order(2)
    void thePublisherDaemonNeverOverlapsItsCycles() throws Exception {
        Path archive0 = cfg.archive().dirFor(0);
        Files.setPosixFilePermissions(archive0, PosixFilePermissions.fromString("r-x------"));
        try (ToolProcess daemon = ToolProcess.start("primary", "run", "--config", everySecond)) {
            Predicate<String> created = l -> l.contains("created restore point");
            Predicate<String> ended = l -> l.contains("left NOT READY");
            Predicate<String> began = created.or(l -> l.contains("publish failed"));
            assertTrue(daemon.awaitLine(ended, Duration.ofSeconds(60)), daemon.output());
            assertTrue(daemon.awaitLine(l -> daemon.stderr().lines().filter(began).count() >= 2, Duration.ofSeconds(30)),
                    daemon.output());
            List<String> lines = daemon.stderr().lines().toList();
            int firstCreated = indexOf(lines, created, 0);
            int firstEnded = indexOf(lines, ended, 0);
            int secondBegan = indexOf(lines, began, firstCreated + 1);
            assertTrue(firstCreated < firstEnded && firstEnded < secondBegan,
                    "a publish began before the previous one ended:\n" + daemon.stderr());
        } finally {
            Files.setPosixFilePermissions(archive0, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    @Order(3)
    void aClusterServiceDeclaredInRoutesYamlReplacesTheFileLock() throws Exception {
        Path home = sandbox.dir().resolve("plugged-home");
        Path leases = sandbox.dir().resolve("shared-leases");
        AtomicFiles.write(home.resolve("routes/cluster.yaml"), """
                # A shared lease for consumers on several hosts; here camel-file's own service on another root.
                - beans:
                    - name: sharedLease
                      type: org.apache.camel.component.file.cluster.FileLockClusterService
                      properties:
                        root: %s
                        acquireLockDelay: 1
                        acquireLockDelayUnit: MILLISECONDS
                        acquireLockInterval: 500
                        acquireLockIntervalUnit: MILLISECONDS
                """.formatted(leases));
        Files.deleteIfExists(Path.of(cfg.dr().lockDir(), ConsumerLock.NAMESPACE));
        try (ToolProcess once = ToolProcess.start(List.of("-Dwhpg.home=" + home), "dr", "run", "--once",
                "--config", everySecond)) {
            assertEquals(0, once.waitFor(Duration.ofSeconds(60)), once.output());
        }
        assertTrue(Files.exists(leases.resolve(ConsumerLock.NAMESPACE)), "no lease under " + leases);
        assertFalse(Files.exists(Path.of(cfg.dr().lockDir(), ConsumerLock.NAMESPACE)), "the file lock was used");
    }

    private static int indexOf(List<String> lines, Predicate<String> p, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (p.test(lines.get(i))) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }
}
