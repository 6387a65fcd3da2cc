package io.whpg.drsync.cli;

import picocli.CommandLine.Option;

/** Opt-in HTTP observability for the run commands: health, Prometheus metrics, Jolokia for hawtio. */
final class ObserveOptions {
    @Option(names = "--observe-port", paramLabel = "PORT",
            description = "Serve /observe/health, /observe/metrics and /observe/jolokia (hawtio) on this port.")
    Integer port;

    @Option(names = "--observe-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address for --observe-port (default 127.0.0.1: Jolokia exposes every MBean).")
    String host;
}
