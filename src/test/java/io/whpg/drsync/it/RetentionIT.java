package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** storage.keep on a real sandbox: the consumer prunes after its cycles, keeping what it needs. */
class RetentionIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSegments(1));

    @Test
    void theConsumerKeepsTheNewestManifestsAndReceiptsAndWhatItNeeds() throws Exception {
        Path config = ItSupport.edited(SANDBOX.sandbox().configFile(), "keep2",
                root -> ((ObjectNode) root.path("storage")).putObject("keep").put("count", 2));
        DrSyncConfig cfg = ConfigLoader.load(config);
        for (int i = 0; i < 4; i++) {
            ItSupport.commitOnEveryPrimary(SANDBOX.sandbox(), "retention-" + i); // an idle cluster gets no new point
            assertEquals(0, ItSupport.publish(config).exitCode());
            ToolProcess dr = ToolProcess.run(Duration.ofSeconds(120), "dr", "run", "--once", "--config", config.toString());
            assertEquals(0, dr.exitCode(), dr.output());
        }
        String current = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        // a fifth point the consumer has not taken yet: newer than the current one, so it stays
        ItSupport.commitOnEveryPrimary(SANDBOX.sandbox(), "retention-ahead");
        assertEquals(0, ItSupport.publish(config).exitCode());
        String ahead = ItSupport.latestReady(cfg);
        List<String> manifests = names(cfg.storage().manifestDir());
        List<String> receipts = names(cfg.dr().receiptsDir());
        assertTrue(manifests.contains(current + ".json") && manifests.contains(ahead + ".json"), manifests.toString());
        assertEquals(3, manifests.size(), "the newest 2 at the last prune, and the one published since: " + manifests);
        assertTrue(receipts.contains(current + ".receipt.json"), receipts.toString());
        assertEquals(2, receipts.size(), receipts.toString());
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }
}
