package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.ops.ReplayWatch;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A long replay made real: DR segment 0 applies each commit 8 s after it was made (recovery_min_apply_delay,
 * honoured in archive recovery), and the commit is fresh. Meanwhile the consumer logs its progress at INFO,
 * and {@code dr status} in another process shows it; the progress file goes when the replay ends.
 */
class ReplayProgressIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSegments(1));

    @Test
    void progressIsLoggedAndShownByStatusFromAnotherShellWhileInstancesReplay() throws Exception {
        Sandbox sb = SANDBOX.sandbox();
        Path config = sb.configFile();
        DrSyncConfig cfg = ConfigLoader.load(config);
        assertEquals(0, ItSupport.publish(config).exitCode());
        assertEquals(0, ToolProcess.run(Duration.ofSeconds(120), "dr", "run", "--once", "--config", config.toString()).exitCode());

        Path conf = sb.drCopy(0).dataDir().resolve("postgresql.conf");
        String original = Files.readString(conf);
        Files.writeString(conf, original + "\nrecovery_min_apply_delay = '8s'\n");
        try {
            ItSupport.commitOnEveryPrimary(sb, "slow replay");
            assertEquals(0, ItSupport.publish(config).exitCode());
            String target = ItSupport.latestReady(cfg);
            ToolProcess consumer = ToolProcess.start(List.of("-Dwhpg.progress.millis=300"),
                    "dr", "run", "--once", "--config", config.toString());
            assertTrue(consumer.awaitLine(l -> l.contains("INFO") && l.contains("ReplayWatch - replay to " + target + ": 1/2 instances"
                    + " stopped at their target; slowest seg 0 at "), Duration.ofSeconds(60)), consumer.output());

            ToolProcess status = ToolProcess.run(Duration.ofSeconds(60), "dr", "status", "--format", "json", "--config", config.toString());
            JsonNode doc = Json.MAPPER.readTree(status.stdout());
            assertEquals(target, doc.path("replay_progress").path("target").asText(), status.output());
            assertEquals(2, doc.path("replay_progress").path("total").asInt(), status.stdout());
            assertEquals(0, doc.path("replay_progress").path("slowest_segment").asInt(-9), status.stdout());

            assertEquals(0, consumer.waitFor(Duration.ofSeconds(120)), consumer.output());
            assertFalse(Files.exists(cfg.dr().stateDir().resolve(ReplayWatch.FILE)), "progress file removed at the end");
            ToolProcess after = ToolProcess.run(Duration.ofSeconds(60), "dr", "status", "--config", config.toString());
            assertFalse(after.stdout().contains("replay in progress"), after.stdout());
        } finally {
            Files.writeString(conf, original);
        }
    }
}
