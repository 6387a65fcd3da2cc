package io.whpg.drsync.sandbox;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SandboxOptionsTest {

    @Test
    void defaultsAreTwoSegmentsOf16MbWalWithOutParamsAndSwitchWalAllLocal() {
        assertEquals(new SandboxOptions(2, 16, GpForm.OUT_PARAMS, true, 0), SandboxOptions.defaults());
        assertEquals(new SandboxOptions(4, 64, GpForm.SETOF_RECORD, false, 3), SandboxOptions.defaults()
                .withSegments(4).withWalSegmentMb(64).withGpForm(GpForm.SETOF_RECORD).withGpSwitchWal(false)
                .withSshHosts(3));
    }

    @Test
    void drCopiesGoRoundRobinOverTheSshHostsCoordinatorFirst() {
        SandboxOptions threeHosts = SandboxOptions.defaults().withSegments(4).withSshHosts(3);
        // positions: coordinator, seg0, seg1, seg2, seg3
        assertEquals(List.of(0, 1, 2, 0, 1), List.of(0, 1, 2, 3, 4).stream().map(threeHosts::sshHostOf).toList());
        assertEquals("127.0.0.2", SandboxOptions.sshHostAddress(0));
        assertEquals("127.0.0.4", SandboxOptions.sshHostAddress(2));
        assertThrows(IllegalStateException.class, () -> SandboxOptions.defaults().sshHostOf(0));
    }

    @Test
    void badValuesAreRefusedNamingFieldAndValue() {
        assertEquals("segments: must be between 1 and 32, got 0",
                assertThrows(IllegalArgumentException.class, () -> SandboxOptions.defaults().withSegments(0)).getMessage());
        assertEquals("wal_segment_mb: must be a power of 2 between 1 and 1024, got 48",
                assertThrows(IllegalArgumentException.class, () -> SandboxOptions.defaults().withWalSegmentMb(48)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SandboxOptions.defaults().withWalSegmentMb(2048));
        assertThrows(NullPointerException.class, () -> SandboxOptions.defaults().withGpForm(null));
        assertEquals("hosts: must be between 0 and the number of DR instances (3 with 2 segments), got 4",
                assertThrows(IllegalArgumentException.class, () -> SandboxOptions.defaults().withSshHosts(4)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SandboxOptions.defaults().withSshHosts(-1));
    }
}
