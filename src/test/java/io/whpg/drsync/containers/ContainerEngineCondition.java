package io.whpg.drsync.containers;

import io.whpg.drsync.testing.Requires;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs container tests only where an engine answers. A developer without Docker or podman gets a skip
 * with one line of reason; CI (CI=true) or WHPG_REQUIRE_CONTAINERS=1 turns that skip into a failure,
 * so the suite can never pass in CI by not running.
 */
public final class ContainerEngineCondition implements ExecutionCondition {
    static final String HOW_TO = "see src/test/container/README.md";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return decide(Engine.REACHABLE, System.getenv());
    }

    static ConditionEvaluationResult decide(boolean engineReachable, Map<String, String> env) {
        if (engineReachable) {
            return ConditionEvaluationResult.enabled("container engine reachable");
        }
        String reason = "no container engine reachable (DOCKER_HOST=" + env.getOrDefault("DOCKER_HOST", "unset") + ")";
        String requiredBy = Requires.requiredBy(env, "WHPG_REQUIRE_CONTAINERS");
        if (requiredBy != null) {
            throw new IllegalStateException(reason + ", but " + requiredBy + " requires the container suite; " + HOW_TO);
        }
        return ConditionEvaluationResult.disabled(reason + ": container suite skipped; " + HOW_TO);
    }

    /** Asked once per JVM: a failed probe tries every discovery strategy again and takes seconds. */
    private static final class Engine {
        static final boolean REACHABLE = DockerClientFactory.instance().isDockerAvailable();
    }
}
