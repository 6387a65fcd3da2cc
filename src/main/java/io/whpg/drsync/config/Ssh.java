package io.whpg.drsync.config;

import java.nio.file.Path;

/** How remote DR instances are reached; {@code retries} counts attempts after the first failed connection. */
public record Ssh(String user, Path identity, Path knownHosts, int port, int connectTimeoutSecs,
        int commandTimeoutSecs, int maxParallelHosts, int retries) {
}
