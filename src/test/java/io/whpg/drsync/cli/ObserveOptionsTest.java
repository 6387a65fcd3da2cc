package io.whpg.drsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ObserveOptionsTest {
    private static ObserveOptions options(String host, Integer port) {
        ObserveOptions o = new ObserveOptions();
        o.host = host;
        o.port = port;
        return o;
    }

    @Test
    void aPortInUseIsOneLineNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> options("127.0.0.1", port).validate());
            assertEquals("--observe-port: cannot listen on 127.0.0.1:" + port + ": Address already in use", e.getMessage());
        }
    }

    @Test
    void anUnresolvableOrForeignHostIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> options("no-such-host.invalid", 8080).validate());
        assertEquals("--observe-host: cannot resolve \"no-such-host.invalid\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> options("192.0.2.1", 8080).validate());
        assertEquals("--observe-port: cannot listen on 192.0.2.1:8080: Cannot assign requested address", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> options("127.0.0.1", 70000).validate());
        assertEquals("--observe-port: expected 1..65535, got 70000", e.getMessage());
    }

    @Test
    void noPortMeansNothingToCheck() {
        options("no-such-host.invalid", null).validate();
    }
}
