package io.whpg.drsync.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.junit.jupiter.api.Test;

class ConsumerLockTest {
    private final FileLockClusterService fileLock = ConsumerLock.fileLock("/var/lib/whpg/state");
    private final FileLockClusterService declared = new FileLockClusterService();
    private final FileLockClusterService another = new FileLockClusterService();

    @Test
    void theFileLockUnlessTheUserDeclaredExactlyOneOtherClusterService() {
        assertEquals(fileLock, ConsumerLock.select(List.of(fileLock), fileLock));
        assertEquals(declared, ConsumerLock.select(List.of(fileLock, declared), fileLock));
        declared.setId("zookeeper");
        another.setId("consul");
        IllegalStateException two = assertThrows(IllegalStateException.class,
                () -> ConsumerLock.select(List.of(fileLock, declared, another), fileLock));
        assertEquals("the consumer lock needs one cluster service, and 2 are declared (zookeeper, consul): keep one in"
                + " routes/*.yaml, or none for the file lock in dr.lock_dir", two.getMessage());
    }

    @Test
    void theFileLockLivesInTheLockDirAndIsTriedAtOnce() {
        assertEquals("/var/lib/whpg/state", fileLock.getRoot());
        assertEquals(1, fileLock.getAcquireLockDelay());
    }

    @Test
    void theDaemonsTimerRunsWhileThisProcessLeadsWithNoStartDelay() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            ClusteredRoutePolicy policy = ConsumerLock.leaderOnly(camel, fileLock);
            assertEquals(Duration.ZERO, policy.getInitialDelay());
            assertFalse(policy.isLeader());
        }
    }
}
