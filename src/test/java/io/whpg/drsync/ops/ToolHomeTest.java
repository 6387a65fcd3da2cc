package io.whpg.drsync.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ToolHomeTest {
    @Test
    void theEnvironmentNamesTheHomeElseTheJarsDirectory() {
        Optional<Path> jarDir = Optional.of(Path.of("/opt/whpg"));
        assertEquals(Optional.of(Path.of("/srv/whpg")), ToolHome.resolve(Map.of(ToolHome.ENV, "/srv/whpg"), jarDir));
        assertEquals(jarDir, ToolHome.resolve(Map.of(), jarDir));
        assertEquals(jarDir, ToolHome.resolve(Map.of(ToolHome.ENV, ""), jarDir));
        assertEquals(Optional.empty(), ToolHome.resolve(Map.of(), Optional.empty()));
    }

    @Test
    void eachDaemonLogsToItsRolesFileEverythingElseToOne() {
        assertEquals("primary", ToolHome.logName(new String[] {"primary", "run", "--config", "f"}));
        assertEquals("dr", ToolHome.logName(new String[] {"dr", "run", "--once"}));
        assertEquals("whpg-dr-sync", ToolHome.logName(new String[] {"dr", "status"}));
        assertEquals("whpg-dr-sync", ToolHome.logName(new String[] {"doctor", "--config", "run"}));
        assertEquals("whpg-dr-sync", ToolHome.logName(new String[] {}));
    }
}
