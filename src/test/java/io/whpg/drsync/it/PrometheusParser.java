package io.whpg.drsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.state.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prometheus text parsed by a real parser: Python's prometheus_client ({@code text_string_to_metric_families},
 * Debian package python3-prometheus-client), which rejects what Prometheus would reject. Missing, the suites
 * using it are skipped with a one-line reason, except in CI (CI=true), where they fail.
 */
final class PrometheusParser {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String SCRIPT = String.join("\n",
            "import sys, json",
            "from prometheus_client.parser import text_string_to_metric_families",
            "out = []",
            "for f in text_string_to_metric_families(sys.stdin.read()):",
            "    for s in f.samples:",
            "        out.append({'family': f.name, 'type': f.type, 'name': s.name, 'labels': s.labels, 'value': repr(float(s.value))})",
            "print(json.dumps(out))");

    record Sample(String family, String type, String name, Map<String, String> labels, double value) {
    }

    private PrometheusParser() {
    }

    static List<Sample> parse(String text) throws IOException {
        Path in = Files.createTempFile("whpg-prom", ".txt");
        try {
            Files.writeString(in, text);
            CommandResult r = ProcessRunner.run(List.of("sh", "-c", PYTHON + " -c \"$1\" < \"$2\"", "sh", SCRIPT, in.toString()), null,
                    Duration.ofSeconds(30));
            if (r.exitCode() != 0) {
                throw new AssertionError("not valid Prometheus text: " + r.stderr() + "\n" + text);
            }
            List<Sample> samples = new ArrayList<>();
            for (JsonNode n : Json.MAPPER.readTree(r.stdout())) {
                Map<String, String> labels = new TreeMap<>();
                n.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                samples.add(new Sample(n.path("family").asText(), n.path("type").asText(), n.path("name").asText(),
                        labels, Double.parseDouble(n.path("value").asText().replace("nan", "NaN").replace("inf", "Infinity"))));
            }
            return samples;
        } finally {
            Files.deleteIfExists(in);
        }
    }

    /** The sum of the samples named {@code name} whose labels pass {@code which}. */
    static double sum(List<Sample> samples, String name, Predicate<Map<String, String>> which) {
        return samples.stream().filter(s -> s.name().equals(name) && which.test(s.labels())).mapToDouble(Sample::value).sum();
    }

    static double value(List<Sample> samples, String name) {
        return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name));
    }

    /** Runs the suite only where the parser is installed; CI must have it. */
    static final class Available implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            boolean ok;
            try {
                ok = Files.isExecutable(PYTHON) && ProcessRunner.run(List.of(PYTHON.toString(), "-c", "import prometheus_client.parser"), null,
                        Duration.ofSeconds(30)).exitCode() == 0;
            } catch (RuntimeException e) {
                ok = false;
            }
            if (ok) {
                return ConditionEvaluationResult.enabled("prometheus_client parser available");
            }
            String reason = "no Prometheus text parser (/usr/bin/python3 with prometheus_client; Debian: apt-get install python3-prometheus-client)";
            String ci = System.getenv().getOrDefault("CI", "");
            if (ci.equalsIgnoreCase("true") || ci.equals("1")) {
                throw new IllegalStateException(reason + ", but CI=" + ci + " requires this suite");
            }
            return ConditionEvaluationResult.disabled(reason + ": suite skipped");
        }
    }
}
