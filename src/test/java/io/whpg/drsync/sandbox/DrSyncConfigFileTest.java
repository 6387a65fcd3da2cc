package io.whpg.drsync.sandbox;

import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DrSyncConfigFileTest {

    @Test
    void theToolsLoaderAcceptsItWithoutWarningsAndSeesTheSandbox() throws Exception {
        SandboxLayout layout = SandboxLayout.of(Path.of("/tmp/sbx"));
        List<SandboxInstance> copies = List.of(
                new SandboxInstance(-1, 41000, layout.drDataDir(-1), "postgres"),
                new SandboxInstance(0, 41001, layout.drDataDir(0), "postgres"));
        DrSyncConfig c = ConfigLoader.parse(DrSyncConfigFile.json(layout, "postgres", 40000, copies, 64), "sandbox");

        assertEquals(List.of(), c.warnings());
        assertEquals("127.0.0.1", c.primary().host());
        assertEquals(40000, c.primary().port());
        assertEquals("postgres", c.primary().db());
        assertEquals("postgres", c.primary().user());
        assertEquals("", c.primary().utilityOptions());
        assertEquals(Path.of("/tmp/sbx/dr_sync/manifests"), c.storage().manifestDir());
        assertEquals(Path.of("/tmp/sbx/dr_sync/LATEST.json"), c.storage().latestPath());
        assertEquals(Path.of("/tmp/sbx/archive/-1"), c.archive().dirFor(-1));
        assertEquals(Path.of("/usr/lib/postgresql/15"), c.dr().gpHome());
        assertEquals("/usr/lib/postgresql/15/bin", c.dr().pgBin());
        assertEquals(Path.of("/tmp/sbx/dr_sync/dr_state"), c.dr().stateDir());
        assertEquals(Path.of("/tmp/sbx/dr_sync/receipts"), c.dr().receiptsDir());
        assertEquals(List.of(new Instance(-1, "127.0.0.1", 41000, "/tmp/sbx/dr/gpseg-1", true, null, null),
                new Instance(0, "127.0.0.1", 41001, "/tmp/sbx/dr/gpseg0", true, null, null)), c.dr().instances());
        assertEquals(64, c.behavior().walSegmentSizeMb());
        assertEquals(1, c.behavior().consumerReachPollSecs());
        assertEquals(60, c.behavior().consumerWaitReachSecs());
        assertEquals(30, c.behavior().publisherWaitArchiveSecs());
    }
}
