package io.whpg.drsync.config;

import java.nio.file.Path;

/**
 * Where the WAL archive (and, with {@code storage.backend = "archive"}, the manifests) live: {@code posix} (a
 * directory this machine reads, the default), {@code s3} (a bucket) or {@code sftp} (a directory on an SFTP host).
 * Paths of the config ({@code archive.archive_dir}, {@code storage.manifest_dir}) name the same place in the store:
 * an S3 key prefix without its leading {@code /}, or the directory on the SFTP host.
 */
public record Backend(String kind, S3 s3, Sftp sftp) {
    public static final String POSIX = "posix";
    public static final String S3_KIND = "s3";
    public static final String SFTP_KIND = "sftp";
    /** A directory on another host through SSH commands (its settings are an {@link Sftp} record, in archive.ssh). */
    public static final String SSH_KIND = "ssh";

    public static Backend posix() {
        return new Backend(POSIX, null, null);
    }

    public boolean isPosix() {
        return POSIX.equals(kind);
    }

    /**
     * An S3 bucket. Credentials come from the two named environment variables when set, else from the AWS default
     * provider chain (environment, profile, instance role); never from the config file.
     */
    public record S3(String bucket, String region, String endpoint, boolean pathStyle, String accessKeyEnv,
                     String secretKeyEnv) {
    }

    /**
     * An SFTP host, its key checked against {@code knownHosts}, logged in with the private key {@code identity}. With
     * {@code hostIdentity} and {@code hostKnownHosts} (paths on the DR hosts) every DR host fetches its own WAL with
     * OpenSSH's {@code sftp} as the instance's OS user; without them the consumer copies it to local instances only.
     */
    public record Sftp(String host, int port, String user, Path identity, Path knownHosts, String hostIdentity,
                       String hostKnownHosts) {
        public Sftp(String host, int port, String user, Path identity, Path knownHosts) {
            this(host, port, user, identity, knownHosts, null, null);
        }
    }
}
