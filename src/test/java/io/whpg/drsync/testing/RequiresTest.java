package io.whpg.drsync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class RequiresTest {
    @Test
    void presentComponentsPassAndMissingOnesSkipWithTheirPackage() {
        Requires.require("sh", "apt-get install dash", List.of(Path.of("/bin/sh")));
        if (Requires.requiredBy(System.getenv(), null) == null) {
            TestAbortedException e = assertThrows(TestAbortedException.class,
                    () -> Requires.require("a missing tool", "apt-get install missing-tool", List.of(Path.of("/nonexistent/tool"))));
            assertTrue(e.getMessage().contains("no a missing tool (apt-get install missing-tool): suite skipped"), e.getMessage());
        } else {
            assertThrows(IllegalStateException.class,
                    () -> Requires.require("a missing tool", "x", List.of(Path.of("/nonexistent/tool"))));
        }
    }

    @Test
    void ciIsCiTrueOrOneOrTheSuitesOwnFlag() {
        assertEquals("CI=true", Requires.requiredBy(Map.of("CI", "true"), null));
        assertEquals("CI=1", Requires.requiredBy(Map.of("CI", "1"), "WHPG_REQUIRE_X"));
        assertEquals("WHPG_REQUIRE_X=1", Requires.requiredBy(Map.of("CI", "false", "WHPG_REQUIRE_X", "1"), "WHPG_REQUIRE_X"));
        assertNull(Requires.requiredBy(Map.of("WHPG_REQUIRE_X", "1"), null));
        assertNull(Requires.requiredBy(Map.of(), "WHPG_REQUIRE_X"));
    }
}
