package io.whpg.drsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;

class UserMessageTest {
    @Test
    void camelsWrappersArePeeledToTheCauseNamedAfterTheRoute() {
        IllegalStateException cause = new IllegalStateException("the consumer lock needs one cluster service");
        assertEquals("route dr-consume-timer: the consumer lock needs one cluster service", WhpgDrSync.userMessage(
                new FailedToCreateRouteException("dr-consume-timer", "Main.java", "Route(dr-consume-timer)[From[timer:x]]",
                        new RuntimeCamelException(cause))));
        assertEquals("route archive-mine (file:/opt/whpg-dr-sync/routes/mine.yaml:4): No component found with scheme: s4",
                WhpgDrSync.userMessage(new FailedToStartRouteException("archive-mine", "file:/opt/whpg-dr-sync/routes/mine.yaml:4",
                        "Route(archive-mine)", new IllegalArgumentException("No component found with scheme: s4\nmore"))));
        assertEquals("the disk is full", WhpgDrSync.userMessage(new IllegalStateException("the disk is full")));
    }
}
