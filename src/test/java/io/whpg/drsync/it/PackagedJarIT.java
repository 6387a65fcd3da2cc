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
import java.time.Duration;
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

    @Test
    void missingConfigIsOneLineAndExitTwo() {
        CommandResult r = jar("dr", "status", "--config", "/nonexistent.json");
        assertEquals(2, r.exitCode());
        assertEquals("whpg_dr_sync: config file not found: /nonexistent.json", r.stderr().strip());
        assertEquals("", r.stdout());
    }
}
