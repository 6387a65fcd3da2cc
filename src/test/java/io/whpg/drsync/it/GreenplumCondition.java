package io.whpg.drsync.it;

import java.nio.file.Files;
import java.nio.file.Path;
import io.whpg.drsync.testing.Requires;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the real-Greenplum suites only where a Greenplum 7 / WarehousePG 7 installation is named by
 * {@value GreenplumLab#HOME_ENV}. A developer without one gets a skip with one line of reason; CI
 * (CI=true) or WHPG_REQUIRE_GREENPLUM=1 turns that skip into a failure, so the suites can never pass
 * in CI by not running.
 */
public final class GreenplumCondition implements ExecutionCondition {
    static final String HOW_TO = "set " + GreenplumLab.HOME_ENV + " to a Greenplum 7 installation (see README, \"Testing on real Greenplum\")";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return decide(System.getenv());
    }

    static ConditionEvaluationResult decide(Map<String, String> env) {
        String home = env.get(GreenplumLab.HOME_ENV);
        if (home != null && !home.isEmpty() && Files.isExecutable(Path.of(home, "bin", "postgres"))) {
            return ConditionEvaluationResult.enabled("Greenplum installation at " + home);
        }
        String reason = home == null || home.isEmpty() ? GreenplumLab.HOME_ENV + " is not set"
                : GreenplumLab.HOME_ENV + "=" + home + " has no bin/postgres";
        String requiredBy = Requires.requiredBy(env, "WHPG_REQUIRE_GREENPLUM");
        if (requiredBy != null) {
            throw new IllegalStateException(reason + ", but " + requiredBy + " requires the real-Greenplum suites; " + HOW_TO);
        }
        return ConditionEvaluationResult.disabled(reason + ": real-Greenplum suite skipped; " + HOW_TO);
    }
}
