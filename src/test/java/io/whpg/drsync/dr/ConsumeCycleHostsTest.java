package io.whpg.drsync.dr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.whpg.drsync.config.Archive;
import io.whpg.drsync.config.Behavior;
import io.whpg.drsync.config.Dr;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.config.Primary;
import io.whpg.drsync.config.Ssh;
import io.whpg.drsync.config.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How a cycle groups instances into hosts: one shell, hence one SSH session, per host, user and ssh port. */
class ConsumeCycleHostsTest {

    @Test
    void instancesOnOneHostShareOneCallPerStepWhateverTheCaseOfItsName() {
        DrSyncConfig config = config(List.of(
                new Instance(-1, "DR-A", 5432, "/data/coordinator", false, null, null),
                new Instance(0, "dr-a", 6000, "/data/seg0", false, null, null),
                new Instance(1, "dr-b", 6000, "/data/seg1", false, 2200, null),
                new Instance(2, "dr-b", 6001, "/data/seg2", false, 2200, "other"),
                new Instance(3, "whatever", 6000, "/nonexistent/seg3", true, null, null)));
        try (ConsumeCycle cycle = new ConsumeCycle(config, Optional.empty(), h -> {
            throw new AssertionError("no shell is opened to plan a step");
        }, Clock.systemUTC())) {
            Map<String, Integer> callsPerHost = new TreeMap<>();
            cycle.probeCalls().forEach(c -> callsPerHost.merge(c.host().describe(), 1, Integer::sum));

            assertEquals(Map.of("gpadmin@dr-a:22", 1, "gpadmin@dr-b:2200", 1, "other@dr-b:2200", 1, "local", 1),
                    callsPerHost);
            assertEquals(cycle.hostOf(-1), cycle.hostOf(0));
            assertEquals(new DrHost(false, "dr-a", 22, "gpadmin"), cycle.hostOf(-1));
            assertEquals(new DrHost(true, "localhost", 0, null), cycle.hostOf(3));
        }
    }

    private static DrSyncConfig config(List<Instance> instances) {
        Path base = Path.of("/nonexistent/dr_sync");
        return new DrSyncConfig(new Primary("coordinator", 5432, "postgres", "gpadmin", "", null, 10),
                new Storage(base.resolve("manifests"), base.resolve("LATEST.json")),
                new Archive(base.resolve("wal"), "%c", "direct:archive-local"),
                new Dr(Path.of("/usr/local/gp"), "/usr/local/gp/bin", base.resolve("state"), base.resolve("receipts"),
                        instances, base.resolve("state").toString()),
                new Ssh("gpadmin", Path.of("/nonexistent/id"), Path.of("/nonexistent/known_hosts"), 22, 10, 120, 8, 3, ""),
                new Behavior(10, 30, 1, 60, 16, 30, "sync_point_"), List.of());
    }
}
