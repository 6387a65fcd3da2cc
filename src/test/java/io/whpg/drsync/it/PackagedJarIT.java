package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The runnable jar as users run it (a separate JVM), so packaging gaps (a missing Camel component) show. */
class PackagedJarIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSegments(1));

    private static CommandResult jar(String... args) {
        String jar = System.getenv("WHPG_DR_SYNC_JAR");
        List<String> argv = new ArrayList<>(List.of("java", "-jar", jar));
        argv.addAll(List.of(args));
        return ProcessRunner.run(argv, null, Duration.ofSeconds(120));
    }

    @Test
    void publishConsumeAndStatusThroughTheJar() throws Exception {
        Sandbox sb = SANDBOX.sandbox();
        String cfg = sb.configFile().toString();
        CommandResult publish = jar("primary", "run", "--once", "--config", cfg);
        assertEquals(0, publish.exitCode(), publish.stdout() + publish.stderr());
        assertTrue(publish.stdout().contains("READY"), publish.stdout());

        CommandResult consume = jar("dr", "run", "--once", "--config", cfg);
        assertEquals(0, consume.exitCode(), consume.stdout() + consume.stderr());
        assertTrue(consume.stdout().startsWith("advanced to sync_point_"), consume.stdout());

        CommandResult status = jar("dr", "status", "--format", "json", "--config", cfg);
        assertEquals(0, status.exitCode(), status.stderr());
        JsonNode doc = Json.MAPPER.readTree(status.stdout());
        assertTrue(doc.path("current_restore_point").asText().startsWith("sync_point_"), status.stdout());
        assertEquals(2, doc.path("instances").size());
        doc.path("instances").forEach(i -> assertEquals("shut down in recovery", i.path("state").asText()));
    }

    /** Both daemons on their timers: the DR side follows each new READY point until it is told to stop. */
    @Test
    void daemonsFollowNewRestorePoints() throws Exception {
        Sandbox sb = SANDBOX.sandbox();
        Path cfg = ItSupport.withBehavior(ItSupport.withBehavior(sb.configFile(), "publisher_sleep_secs", 2),
                "consumer_sleep_secs", 1);
        DrSyncConfig config = ConfigLoader.load(cfg);
        StateStore state = new StateStore(config.dr().stateDir());
        String jar = System.getenv("WHPG_DR_SYNC_JAR");
        Process publisher = new ProcessBuilder("java", "-jar", jar, "primary", "run", "--config", cfg.toString())
                .redirectErrorStream(true).redirectOutput(sb.dir().resolve("publisher-daemon.log").toFile()).start();
        Process consumer = new ProcessBuilder("java", "-jar", jar, "dr", "run", "--config", cfg.toString())
                .redirectErrorStream(true).redirectOutput(sb.dir().resolve("consumer-daemon.log").toFile()).start();
        try {
            Set<String> parkedAt = new HashSet<>();
            long deadline = System.currentTimeMillis() + 90_000;
            while (parkedAt.size() < 3 && System.currentTimeMillis() < deadline) {
                state.current().ifPresent(parkedAt::add);
                Thread.sleep(100);
            }
            assertTrue(parkedAt.size() >= 3, "the DR daemon followed only " + parkedAt + "; see "
                    + sb.dir().resolve("consumer-daemon.log"));
            for (String point : parkedAt) {
                assertTrue(Files.exists(config.dr().receiptsDir().resolve(point + ".receipt.json")), point);
            }
        } finally {
            publisher.destroy();
            consumer.destroy();
            assertTrue(publisher.waitFor(60, TimeUnit.SECONDS), "publisher daemon did not stop on SIGTERM");
            assertTrue(consumer.waitFor(60, TimeUnit.SECONDS), "consumer daemon did not stop on SIGTERM");
        }
    }

    @Test
    void missingConfigIsOneLineAndExitTwo() {
        CommandResult r = jar("dr", "status", "--config", "/nonexistent.json");
        assertEquals(2, r.exitCode());
        assertEquals("whpg_dr_sync: config file not found: /nonexistent.json", r.stderr().strip());
        assertEquals("", r.stdout());
    }
}
