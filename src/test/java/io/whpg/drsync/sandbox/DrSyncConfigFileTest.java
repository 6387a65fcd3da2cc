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
        DrSyncConfig c = ConfigLoader.parse(DrSyncConfigFile.json(layout, "postgres", 40000, copies, 64, List.of()), "sandbox");

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
        assertEquals(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"), c.ssh().knownHosts());
    }

    @Test
    void withSshHostsEveryDrInstanceIsRemoteBehindItsHostWithHostKeysChecked() throws Exception {
        SandboxLayout layout = SandboxLayout.of(Path.of("/tmp/sbx"));
        List<SandboxInstance> copies = List.of(
                new SandboxInstance(-1, 41000, layout.drDataDir(-1), "postgres"),
                new SandboxInstance(0, 41001, layout.drDataDir(0), "postgres"),
                new SandboxInstance(1, 41002, layout.drDataDir(1), "postgres"));
        List<SandboxSshHost> hosts = List.of(new SandboxSshHost("127.0.0.2", 42000, 11, List.of(-1, 1)),
                new SandboxSshHost("127.0.0.3", 42001, 12, List.of(0)));
        DrSyncConfig c = ConfigLoader.parse(DrSyncConfigFile.json(layout, "postgres", 40000, copies, 16, hosts), "sandbox");

        assertEquals(List.of(), c.warnings());
        assertEquals(List.of(new Instance(-1, "127.0.0.2", 41000, "/tmp/sbx/dr/gpseg-1", false, 42000, null),
                new Instance(0, "127.0.0.3", 41001, "/tmp/sbx/dr/gpseg0", false, 42001, null),
                new Instance(1, "127.0.0.2", 41002, "/tmp/sbx/dr/gpseg1", false, 42000, null)), c.dr().instances());
        assertEquals("postgres", c.ssh().user());
        assertEquals(Path.of("/tmp/sbx/ssh/id_ed25519"), c.ssh().identity());
        assertEquals(Path.of("/tmp/sbx/ssh/known_hosts"), c.ssh().knownHosts());
        assertEquals(1, c.ssh().retries());
    }
}
