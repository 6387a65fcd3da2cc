package io.whpg.drsync.config;

/**
 * The primary cluster's coordinator. {@code utilityOptions} is the libpq {@code options} value used to reach
 * one instance alone ("" for plain PostgreSQL, which rejects gp_role); {@code passwordEnv} names an environment
 * variable holding the password, or is null when ~/.pgpass is used.
 */
public record Primary(String host, int port, String db, String user, String utilityOptions, String passwordEnv,
        int connectTimeoutSecs) {
}
