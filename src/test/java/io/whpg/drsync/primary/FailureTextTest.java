package io.whpg.drsync.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.whpg.drsync.dr.CycleFailure;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class FailureTextTest {
    private static final PrimaryInstance SEG1 = new PrimaryInstance(1, "sdw1", "127.0.0.1", 7003);

    /** A real refused connection from the PostgreSQL driver, to a port nobody listens on. */
    private static SQLException refused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        int closed = port;
        return assertThrows(SQLException.class, () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + closed + "/postgres"));
    }

    @Test
    void aRefusedConnectionInsideCamelsSplitWrappersIsOneLineNamingTheInstance() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exception wrapped = new RuntimeCamelException(new CamelExchangeException("Multicast processing failed for number 2",
                    new DefaultExchange(context), refused()));
            assertEquals("content 1 (127.0.0.1:7003): Connection refused", SEG1.label() + ": " + FailureText.rootCause(wrapped));
        }
    }

    @Test
    void aServerErrorKeepsItsFirstLineOnly() {
        Exception e = new RuntimeCamelException("Exception occurred during execution on the exchange",
                new SQLException("ERROR: permission denied for function gp_create_restore_point\n  Where: SQL function"));
        assertEquals("ERROR: permission denied for function gp_create_restore_point", FailureText.rootCause(e));
    }

    @Test
    void aCauseWithoutMessageLeavesTheDeepestMessageAbove() {
        Exception e = new RuntimeCamelException("outer", new SQLException("The connection attempt failed.", new java.io.EOFException()));
        assertEquals("The connection attempt failed.", FailureText.rootCause(e));
        assertEquals("NullPointerException", FailureText.rootCause(new NullPointerException()));
        assertEquals("unknown failure", FailureText.rootCause(null));
    }

    @Test
    void findsOurOwnFailureUnderTheWrappers() {
        CycleFailure ours = new CycleFailure("archiving_off", "content 0 (h:1): archive_mode is off");
        Exception e = new RuntimeCamelException(new CamelExchangeException("Multicast processing failed for number 0", null, ours));
        assertSame(ours, FailureText.find(e, CycleFailure.class));
        assertEquals(null, FailureText.find(new RuntimeException("x"), CycleFailure.class));
    }

    @Test
    void theUserMessageSkipsCamelsWrappersButKeepsTheMessageThatNamesTheThing() {
        Exception wrapped = new org.apache.camel.CamelExecutionException("Exception occurred during execution on the exchange: "
                + "Exchange[1]", null, new io.whpg.drsync.archive.ArchiveException(
                        "archive directory of segment -1 does not exist: /a/-1", new java.nio.file.NoSuchFileException("/a/-1")));
        assertEquals("archive directory of segment -1 does not exist: /a/-1", FailureText.userMessage(wrapped));
        assertEquals("/a/-1", FailureText.rootCause(wrapped));
    }
}
