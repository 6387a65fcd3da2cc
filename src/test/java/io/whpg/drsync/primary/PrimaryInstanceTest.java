package io.whpg.drsync.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PrimaryInstanceTest {
    @Test
    void connectsToTheAddressAsGreenplumDoesNotToTheHostname() {
        assertEquals("10.0.1.7", new PrimaryInstance(3, "sdw2", "10.0.1.7", 6001).host());
        assertEquals("sdw2-ib0", new PrimaryInstance(3, "sdw2", "sdw2-ib0", 6001).host());
    }

    @Test
    void fallsBackToTheHostnameOnlyWhereTheAddressIsEmpty() {
        assertEquals("sdw2", new PrimaryInstance(3, "sdw2", "", 6001).host());
        assertEquals("sdw2", new PrimaryInstance(3, "sdw2", " ", 6001).host());
        assertEquals("sdw2", new PrimaryInstance(3, "sdw2", null, 6001).host());
    }
}
