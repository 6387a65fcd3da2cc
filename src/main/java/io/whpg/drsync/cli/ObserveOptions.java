package io.whpg.drsync.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import picocli.CommandLine.Option;

/** Opt-in HTTP observability for the run commands: health, Prometheus metrics, Jolokia for hawtio. */
final class ObserveOptions {
    @Option(names = "--observe-port", paramLabel = "PORT",
            description = "Serve /observe/health, /observe/metrics and /observe/jolokia (hawtio) on this port.")
    Integer port;

    @Option(names = "--observe-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address for --observe-port (default 127.0.0.1: Jolokia exposes every MBean).")
    String host;

    /**
     * Checked before anything starts, so a bad option is one line and exit 2, never a stack trace from the HTTP
     * server: the port in range, the host resolvable and local, and the address free to bind.
     */
    void validate() {
        if (port == null) {
            return;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--observe-port: expected 1..65535, got " + port);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--observe-host: cannot resolve \"" + host + "\"");
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new IllegalArgumentException("--observe-port: cannot listen on " + host + ":" + port + ": "
                    + e.getMessage());
        }
    }
}
