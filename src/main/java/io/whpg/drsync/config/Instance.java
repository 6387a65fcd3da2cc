package io.whpg.drsync.config;

/**
 * One DR instance. {@code dataDir} is a path on the instance's host, which may be remote, so it stays a string.
 * {@code sshPort} null means ssh.port; {@code osUser} null means the owner of dataDir when local and running as
 * root, else ssh.user.
 */
public record Instance(int gpSegmentId, String host, int port, String dataDir, boolean isLocal, Integer sshPort,
        String osUser) {
}
