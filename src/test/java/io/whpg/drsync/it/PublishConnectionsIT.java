package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.sandbox.SandboxOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The publisher daemon keeps its connections: the same server sessions answer cycle after cycle (one to the
 * coordinator for the cluster-wide SQL, one utility-mode session per instance), and sessions the servers dropped
 * are replaced without a restart and without a stack trace.
 */
class PublishConnectionsIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSegments(1));

    @Test
    void theDaemonReusesItsSessionsAcrossCyclesAndReplacesDroppedOnes() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        Path everySecond = ItSupport.edited(sandbox.configFile(), "every-second", root -> ((ObjectNode) root.path("behavior"))
                .put("publisher_sleep_secs", 1));
        try (ToolProcess daemon = ToolProcess.start("primary", "run", "--config", everySecond.toString())) {
            awaitPublished(sandbox, daemon, 1);
            Map<Integer, Set<Integer>> first = sessions(sandbox);
            assertEquals(2, first.get(-1).size(), "coordinator: one dispatching session, one utility session " + first);
            assertEquals(1, first.get(0).size(), "segment: one utility session " + first);

            awaitPublished(sandbox, daemon, 3);
            assertEquals(first, sessions(sandbox), "the same sessions served the later cycles");

            for (SandboxInstance p : sandbox.primaries()) {
                try (Connection c = sandbox.connectPrimary(p.contentId()); Statement s = c.createStatement()) {
                    s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'whpg_dr_sync'");
                }
            }
            // a cycle may fail on a session dropped within the last second; a later one publishes on new sessions
            awaitPublished(sandbox, daemon, 4);
            Map<Integer, Set<Integer>> after = sessions(sandbox);
            assertEquals(2, after.get(-1).size(), after.toString());
            assertEquals(1, after.get(0).size(), after.toString());
            for (int content : after.keySet()) {
                Set<Integer> both = new TreeSet<>(after.get(content));
                both.retainAll(first.get(content));
                assertTrue(both.isEmpty(), "content " + content + ": dropped sessions replaced " + first + " -> " + after);
            }
            assertTrue(daemon.alive(), daemon.output());
            assertFalse(daemon.stderr().contains("\tat "), "no stack trace: " + daemon.stderr());
        }
    }

    /** Commits on every primary and waits until the daemon has published {@code total} READY points in all. */
    private static void awaitPublished(Sandbox sandbox, ToolProcess daemon, int total) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (published(daemon) < total) {
            assertTrue(System.nanoTime() < deadline && daemon.alive(), "no READY point #" + total + ":\n" + daemon.output());
            ItSupport.commitOnEveryPrimary(sandbox, "connections");
            daemon.awaitLine(l -> false, Duration.ofMillis(700));
        }
    }

    private static long published(ToolProcess daemon) {
        return daemon.stderr().lines().filter(l -> l.contains("PublishSteps - published ") && l.endsWith(" READY")).count();
    }

    /** The tool's server sessions (pids) on each primary, by content id. */
    private static Map<Integer, Set<Integer>> sessions(Sandbox sandbox) throws Exception {
        Map<Integer, Set<Integer>> pids = new HashMap<>();
        for (SandboxInstance p : sandbox.primaries()) {
            Set<Integer> these = new TreeSet<>();
            try (Connection c = sandbox.connectPrimary(p.contentId()); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = 'whpg_dr_sync'")) {
                while (r.next()) {
                    these.add(r.getInt(1));
                }
            }
            pids.put(p.contentId(), these);
        }
        return pids;
    }
}
