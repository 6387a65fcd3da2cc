package io.whpg.drsync.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

class ContainerEngineConditionTest {

    @Test
    void reachableEngineRunsTheSuiteEvenInCi() {
        assertFalse(ContainerEngineCondition.decide(true, Map.of("CI", "true")).isDisabled());
        assertFalse(ContainerEngineCondition.decide(true, Map.of()).isDisabled());
    }

    @Test
    void developerWithoutEngineGetsOneLineSkipNamingDockerHost() {
        ConditionEvaluationResult result = ContainerEngineCondition.decide(false, Map.of("CI", "false"));
        assertTrue(result.isDisabled());
        String reason = result.getReason().orElseThrow();
        assertEquals("no container engine reachable (DOCKER_HOST=unset): container suite skipped; "
                + ContainerEngineCondition.HOW_TO, reason);
        assertFalse(reason.contains("\n"));
    }

    @Test
    void ciWithoutEngineFailsInsteadOfSkipping() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ContainerEngineCondition.decide(
                false, Map.of("CI", "true", "DOCKER_HOST", "unix:///tmp/gone.sock")));
        assertEquals("no container engine reachable (DOCKER_HOST=unix:///tmp/gone.sock), but CI=true requires "
                + "the container suite; " + ContainerEngineCondition.HOW_TO, e.getMessage());
    }

    @Test
    void requireContainersFlagFailsInsteadOfSkipping() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ContainerEngineCondition.decide(false, Map.of("WHPG_REQUIRE_CONTAINERS", "1")));
        assertTrue(e.getMessage().contains("WHPG_REQUIRE_CONTAINERS=1 requires the container suite"), e.getMessage());
    }
}
