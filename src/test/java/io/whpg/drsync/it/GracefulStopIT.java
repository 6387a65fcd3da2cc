package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What systemd's stop does to the consumer: SIGTERM while its cycle has just started the DR instances. The
 * cycle runs to its end before the JVM exits, so the site is parked and verified at the target, with its receipt.
 */
class GracefulStopIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSegments(1));

    @Test
    void sigtermDuringACycleLetsItFinishParked() throws Exception {
        Sandbox sb = SANDBOX.sandbox();
        Path config = sb.configFile();
        DrSyncConfig cfg = ConfigLoader.load(config);
        ItSupport.commitOnEveryPrimary(sb, "graceful-stop");
        assertEquals(0, ItSupport.publish(config).exitCode());
        String target = ItSupport.latestReady(cfg);

        ToolProcess consumer = ToolProcess.start("dr", "run", "--config", config.toString());
        assertTrue(consumer.awaitLine(l -> l.contains("HostRunner - start on"), Duration.ofSeconds(90)), consumer.output());
        int exit = consumer.terminate(Duration.ofSeconds(300));
        assertTrue(exit == 0 || exit == 143, "exit " + exit + ":\n" + consumer.output());

        assertEquals(target, new StateStore(cfg.dr().stateDir()).current().orElseThrow(), consumer.output());
        JsonNode receipt = Json.MAPPER.readTree(cfg.dr().receiptsDir().resolve(target + ".receipt.json").toFile());
        assertTrue(receipt.path("advanced").asBoolean(), receipt.toString());
        for (int content = -1; content <= 0; content++) {
            assertTrue(ItSupport.controlData(sb, sb.drCopy(content).dataDir()).isShutDownInRecovery(), "seg " + content);
        }
    }
}
