package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar} on an installed copy behaves like the launcher: it finds {@code config/application.properties}
 * and {@code routes/*.yaml} in its home (the jar's directory, or WHPG_DR_SYNC_HOME), a YAML route's {@code log:}
 * step shows at INFO, and the rolling log file under {@code <home>/logs} gets each line with its role.
 */
class InstalledJarIT {
    @TempDir
    Path tmp;

    @Test
    void besideTheJarConfigAndRoutesAreFoundAndLogStepsShow() throws Exception {
        Path home = install(tmp.resolve("opt"), "from-home-config");
        CommandResult r = run(home.resolve("whpg-dr-sync.jar"), Map.of());
        assertEquals(1, r.exitCode(), r.stdout() + r.stderr()); // no DR instance: a failed cycle, as expected
        assertTrue(r.stderr().lines().anyMatch(l -> l.contains("INFO") && l.contains("hello from-home-config")), r.stderr());
        List<Path> logs;
        try (Stream<Path> s = Files.list(home.resolve("logs"))) {
            logs = s.toList();
        }
        assertEquals(1, logs.size(), logs.toString());
        assertTrue(logs.get(0).getFileName().toString().matches("dr\\.\\d{4}-\\d{2}-\\d{2}\\.log"), logs.toString());
        String file = Files.readString(logs.get(0));
        assertTrue(file.contains("hello from-home-config"), file);
        assertTrue(file.lines().anyMatch(l -> l.contains(" dr ") && l.contains("ConsumeSteps")), "the role on step lines:\n" + file);
    }

    @Test
    void whpgDrSyncHomeNamesTheHomeWhereverTheJarIs() throws Exception {
        Path home = install(tmp.resolve("home"), "from-env-home");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere")).resolve("whpg-dr-sync.jar");
        Files.move(home.resolve("whpg-dr-sync.jar"), elsewhere);
        CommandResult r = run(elsewhere, Map.of("WHPG_DR_SYNC_HOME", home.toString()));
        assertTrue(r.stderr().contains("hello from-env-home"), r.stderr());
        assertTrue(Files.isDirectory(home.resolve("logs")));
    }

    /** Camel Main's rule: an environment variable overrides the property of the same name in application.properties. */
    @Test
    void anEnvironmentVariableOverridesApplicationProperties() throws Exception {
        Path home = install(tmp.resolve("env"), "from-file");
        CommandResult r = run(home.resolve("whpg-dr-sync.jar"), Map.of("WHPG_GREETING", "from-env"));
        assertTrue(r.stderr().contains("hello from-env"), r.stderr());
        assertFalse(r.stderr().contains("hello from-file"), r.stderr());
    }

    private Path install(Path home, String greeting) throws Exception {
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("routes"));
        Files.copy(Path.of(System.getenv("WHPG_DR_SYNC_JAR")), home.resolve("whpg-dr-sync.jar"));
        Files.writeString(home.resolve("config/application.properties"), "whpg.greeting = " + greeting + "\n");
        Files.writeString(home.resolve("routes/hello.yaml"), """
                - route:
                    id: hello
                    from:
                      uri: timer:hello
                      parameters:
                        repeatCount: 1
                        delay: 0
                      steps:
                        - log: "hello {{whpg.greeting}}"
                """);
        return home;
    }

    private CommandResult run(Path jar, Map<String, String> env) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cluster"));
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"primary": {"host": "127.0.0.1", "port": 9, "db": "postgres", "user": "whpg"},
                 "storage": {"manifest_dir": "%1$s/manifests", "latest_path": "%1$s/LATEST.json"},
                 "archive": {"archive_dir": "%1$s/archive"},
                 "dr": {"gp_home": "%1$s", "state_dir": "%1$s/state", "receipts_dir": "%1$s/receipts",
                        "instances": [{"gp_segment_id": -1, "host": "127.0.0.1", "port": 9, "data_dir": "%1$s/none",
                                       "is_local": true}]},
                 "behavior": {"publisher_sleep_secs": 1, "consumer_sleep_secs": 1, "consumer_reach_poll_secs": 1,
                              "consumer_wait_reach_secs": 1, "wal_segment_size_mb": 16}}
                """.formatted(dir));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return ProcessRunner.run(List.of(java, "-jar", jar.toString(), "dr", "run", "--once", "--config", config.toString()),
                null, Duration.ofSeconds(120), env, tmp);
    }
}
