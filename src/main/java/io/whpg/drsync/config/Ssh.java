package io.whpg.drsync.config;

import java.nio.file.Path;

/**
 * How remote DR instances are reached; {@code retries} counts attempts after the first failed connection;
 * {@code kex} the key-exchange algorithms in order of preference, comma-separated (empty: the SSH library's
 * default list, post-quantum hybrids first).
 */
public record Ssh(String user, Path identity, Path knownHosts, int port, int connectTimeoutSecs,
        int commandTimeoutSecs, int maxParallelHosts, int retries, String kex) {
}
