package io.whpg.drsync.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.junit.jupiter.api.Test;

class ConsumerLockTest {
    private final FileLockClusterService fileLock = ConsumerLock.fileLock("/var/lib/whpg/state");
    private final CamelClusterService declared = new FileLockClusterService();
    private final CamelClusterService another = new FileLockClusterService();

    @Test
    void theFileLockUnlessTheUserDeclaredExactlyOneOtherClusterService() {
        assertEquals(Optional.of(fileLock), ConsumerLock.select(List.of(fileLock), fileLock));
        assertEquals(Optional.of(declared), ConsumerLock.select(List.of(fileLock, declared), fileLock));
        assertEquals(Optional.empty(), ConsumerLock.select(List.of(fileLock, declared, another), fileLock));
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
