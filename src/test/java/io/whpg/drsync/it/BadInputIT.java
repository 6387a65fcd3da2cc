package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonPointer;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.testing.BadInputCorpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input at the command line, on a real sandbox that has been published to and consumed once: every broken
 * config of {@code config/bad}, every broken manifest of {@code manifest/bad} (named with {@code --target}) and
 * every case of {@code cli/bad/cases.tsv} (edits of the sandbox's own config, so its paths are real) ends with
 * exit 2, exactly one line on stderr, nothing on stdout, and no file of the state, receipts, manifests,
 * archive or any DR data dir changed.
 */
class BadInputIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());
    /** A valid name no publisher will use for a long time: the broken manifests are put there. */
    private static final String PLANTED = "sync_point_29990101_000000";

    private static Sandbox sandbox;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void publishAndConsumeOnce() throws Exception {
        sandbox = SANDBOX.sandbox();
        cfg = ConfigLoader.load(sandbox.configFile());
        assertEquals(0, ItSupport.publish(sandbox.configFile()).exitCode());
        ItSupport.Run r = ItSupport.cli("dr", "run", "--once", "--config", sandbox.configFile().toString());
        assertEquals(0, r.exitCode(), r.output());
    }

    static Stream<Arguments> brokenConfigs() throws Exception {
        return BadInputCorpus.of("/config/bad").cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenConfigs")
    void everyBrokenConfigIsOneLineAndExitTwoForBothRoles(String file, String expected) throws Exception {
        Path p = BadInputCorpus.of("/config/bad").file(file);
        String line = "whpg_dr_sync: " + expected.replace("${file}", p.toString());
        for (String role : List.of("dr", "primary")) {
            assertRefused(line, role, "run", "--once", "--config", p.toString());
        }
    }

    static Stream<Arguments> brokenManifests() throws Exception {
        return BadInputCorpus.of("/manifest/bad").cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenManifests")
    void everyBrokenManifestNamedWithTargetIsOneLineAndExitTwo(String file, String expected) throws Exception {
        Path planted = cfg.storage().manifestDir().resolve(PLANTED + ".json");
        Files.copy(BadInputCorpus.of("/manifest/bad").file(file), planted);
        try {
            assertRefused("whpg_dr_sync: --target: " + expected.replace("${file}", planted.toString()),
                    "dr", "run", "--once", "--target", PLANTED, "--config", sandbox.configFile().toString());
        } finally {
            Files.delete(planted);
        }
    }

    static Stream<Arguments> commandLineCases() throws Exception {
        return Files.readAllLines(BadInputCorpus.resource("/cli/bad/cases.tsv")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("\t", 4))
                .map(f -> Arguments.of(f[0], f[1], f[2], f[3]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandLineCases")
    void everyCommandLineCaseOnTheSandboxIsOneLineAndExitTwo(String name, String command, String edit, String expected)
            throws Exception {
        Path edited = sandbox.dir().resolve("dr_sync_config." + name + ".json");
        String original = Files.readString(sandbox.configFile());
        AtomicFiles.write(edited, edited(original, edit));
        try {
            String[] args = Arrays.stream(command.split(" ")).map(this::expand).map(a -> a.replace("${config}",
                    edited.toString())).toArray(String[]::new);
            assertRefused("whpg_dr_sync: " + expand(expected).replace("${config}", edited.toString()), args);
        } finally {
            Files.delete(edited);
        }
    }

    /** The exit status of the real process, not only of the command object: two cases through the jar. */
    @Test
    void theProcessItselfExitsTwo() throws Exception {
        Snapshot before = Snapshot.of(sandbox, cfg);
        Path broken = BadInputCorpus.resource("/config/bad/25-dr-instance-port-string.json");
        try (ToolProcess p = ToolProcess.run(Duration.ofSeconds(60), "dr", "run", "--once", "--config", broken.toString())) {
            assertEquals(2, p.exitCode(), p.output());
            assertEquals("whpg_dr_sync: dr.instances[1].port: expected an integer 1..65535, got \"abc\"", p.stderr());
        }
        try (ToolProcess p = ToolProcess.run(Duration.ofSeconds(60), "dr", "run", "--once", "--target", "x;y",
                "--config", sandbox.configFile().toString())) {
            assertEquals(2, p.exitCode(), p.output());
            assertTrue(p.stderr().startsWith("whpg_dr_sync: --target: invalid restore point name \"x;y\""), p.stderr());
            assertEquals("", p.stdout());
        }
        before.assertNothingChanged(sandbox, cfg, "refused input");
    }

    private static void assertRefused(String line, String... args) throws IOException {
        Snapshot before = Snapshot.of(sandbox, cfg);
        ItSupport.Run r = ItSupport.cli(args);
        assertEquals(2, r.exitCode(), String.join(" ", args) + "\n" + r.output());
        assertEquals(line, r.err().strip(), String.join(" ", args));
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("", r.out());
        before.assertNothingChanged(sandbox, cfg, String.join(" ", args));
    }

    private String expand(String s) {
        return s.replace("${sandbox}", sandbox.dir().toString())
                .replace("${manifests}", cfg.storage().manifestDir().toString());
    }

    /** The sandbox config with one edit: set POINTER JSON, remove POINTER, copy FROM TO, truncate BYTES, none. */
    private static String edited(String json, String edit) throws IOException {
        String[] e = edit.split(" ", 3);
        if (e[0].equals("none")) {
            return json;
        }
        if (e[0].equals("truncate")) {
            return new String(Arrays.copyOf(json.getBytes(StandardCharsets.UTF_8), Integer.parseInt(e[1])),
                    StandardCharsets.UTF_8);
        }
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(json);
        JsonPointer at = JsonPointer.compile(e[1]);
        JsonNode parent = root.at(at.head());
        String key = at.last().getMatchingProperty();
        switch (e[0]) {
            case "set" -> put(parent, key, Json.MAPPER.readTree(e[2]));
            case "remove" -> ((ObjectNode) parent).remove(key);
            case "copy" -> {
                JsonPointer to = JsonPointer.compile(e[2]);
                put(root.at(to.head()), to.last().getMatchingProperty(), root.at(at).deepCopy());
            }
            default -> throw new IllegalArgumentException("unknown edit " + edit);
        }
        return Json.pretty(root);
    }

    private static void put(JsonNode parent, String key, JsonNode value) {
        if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(key), value);
        } else {
            ((ObjectNode) parent).set(key, value);
        }
    }
}
