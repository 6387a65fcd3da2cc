package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GreenplumConditionTest {
    @Test
    void withoutAnInstallationADeveloperGetsASkipWithTheReason() {
        var r = GreenplumCondition.decide(Map.of());
        assertTrue(r.isDisabled());
        assertTrue(r.getReason().orElseThrow().contains("WHPG_GP_HOME is not set"), r.getReason().orElseThrow());
    }

    @Test
    void ciOrTheRequireFlagTurnsTheSkipIntoAFailure() {
        assertThrows(IllegalStateException.class, () -> GreenplumCondition.decide(Map.of("CI", "true")));
        assertThrows(IllegalStateException.class, () -> GreenplumCondition.decide(Map.of("WHPG_REQUIRE_GREENPLUM", "1")));
        assertThrows(IllegalStateException.class,
                () -> GreenplumCondition.decide(Map.of("CI", "true", "WHPG_GP_HOME", "/nonexistent")));
    }

    @Test
    void anInstallationWithAServerBinaryEnablesTheSuites(@TempDir Path home) throws Exception {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path postgres = Files.createFile(bin.resolve("postgres"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        assertFalse(GreenplumCondition.decide(Map.of("CI", "true", "WHPG_GP_HOME", home.toString())).isDisabled(),
                postgres.toString());
    }
}
