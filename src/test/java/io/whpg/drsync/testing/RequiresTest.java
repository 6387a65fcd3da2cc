package io.whpg.drsync.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
        if (!Requires.inCi(System.getenv())) {
            TestAbortedException e = assertThrows(TestAbortedException.class,
                    () -> Requires.require("a missing tool", "apt-get install missing-tool", List.of(Path.of("/nonexistent/tool"))));
            assertTrue(e.getMessage().contains("no a missing tool (apt-get install missing-tool): suite skipped"), e.getMessage());
        } else {
            assertThrows(IllegalStateException.class,
                    () -> Requires.require("a missing tool", "x", List.of(Path.of("/nonexistent/tool"))));
        }
    }

    @Test
    void ciIsCiTrueOrOne() {
        assertTrue(Requires.inCi(Map.of("CI", "true")));
        assertTrue(Requires.inCi(Map.of("CI", "1")));
        assertFalse(Requires.inCi(Map.of("CI", "false")));
        assertFalse(Requires.inCi(Map.of()));
    }
}
