package io.whpg.drsync.sandbox;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SandboxOptionsTest {

    @Test
    void defaultsAreTwoSegmentsOf16MbWalWithOutParamsAndSwitchWal() {
        assertEquals(new SandboxOptions(2, 16, GpForm.OUT_PARAMS, true), SandboxOptions.defaults());
        assertEquals(new SandboxOptions(4, 64, GpForm.SETOF_RECORD, false), SandboxOptions.defaults()
                .withSegments(4).withWalSegmentMb(64).withGpForm(GpForm.SETOF_RECORD).withGpSwitchWal(false));
    }

    @Test
    void badValuesAreRefusedNamingFieldAndValue() {
        assertEquals("segments: must be between 1 and 32, got 0",
                assertThrows(IllegalArgumentException.class, () -> SandboxOptions.defaults().withSegments(0)).getMessage());
        assertEquals("wal_segment_mb: must be a power of 2 between 1 and 1024, got 48",
                assertThrows(IllegalArgumentException.class, () -> SandboxOptions.defaults().withWalSegmentMb(48)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SandboxOptions.defaults().withWalSegmentMb(2048));
        assertThrows(NullPointerException.class, () -> SandboxOptions.defaults().withGpForm(null));
    }
}
