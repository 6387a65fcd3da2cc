package io.whpg.drsync.sandbox;

import java.util.List;

/**
 * The sandbox's server settings. They live in {@code sandbox.conf}, included from postgresql.conf,
 * so a DR copy (which inherits the primary's files through the base backup) just gets its own
 * {@code sandbox.conf} written over the primary's.
 */
final class ServerSettings {
    static final String FILE = "sandbox.conf";
    static final String LOCAL_ADDRESS = "127.0.0.1";
    static final String INCLUDE = "include = '" + FILE + "'";
    /** The file the tool writes its recovery target into; it must come last so it wins. */
    static final String RECOVERY_INCLUDE = "include_if_exists = 'whpg_dr_sync.recovery.conf'";

    private ServerSettings() {
    }

    static String primary(SandboxLayout layout, int contentId, int port) {
        String archive = layout.archiveDir(contentId) + "/%f";
        return header("primary " + SandboxLayout.instanceName(contentId), layout, LOCAL_ADDRESS, port)
                + "archive_mode = on\n"
                // Like real sites: a plain, non-atomic cp; the tool must cope with half-copied files.
                + "archive_command = 'test ! -f " + archive + " && cp %p " + archive + "'\n"
                + "logging_collector = off\n";
    }

    /**
     * A DR copy on {@code hostAddress}: it listens there as a server on that DR host would, and on 127.0.0.1,
     * where the tool's SQL and the tests reach every instance.
     */
    static String drCopy(SandboxLayout layout, int contentId, int port, String hostAddress) {
        String listen = hostAddress.equals(LOCAL_ADDRESS) ? LOCAL_ADDRESS : LOCAL_ADDRESS + "," + hostAddress;
        return header("DR copy of " + SandboxLayout.instanceName(contentId), layout, listen, port)
                // A DR copy must never archive: if it ever came up read-write it would push divergent WAL.
                + "archive_mode = off\n"
                + "restore_command = 'cp " + layout.archiveDir(contentId) + "/%f %p'\n"
                // The log stays in the data dir under a fixed name, however the tool starts the server.
                + "logging_collector = on\n"
                + "log_directory = '" + SandboxLayout.DR_LOG_DIR + "'\n"
                + "log_filename = '" + SandboxLayout.DR_LOG_FILE + "'\n"
                + "log_rotation_age = 0\n"
                + "log_rotation_size = 0\n";
    }

    private static String header(String what, SandboxLayout layout, String listenAddresses, int port) {
        return "# Written by whpg_dr_sync sandbox: " + what + "\n"
                + "listen_addresses = '" + listenAddresses + "'\n"
                + "port = " + port + "\n"
                + "unix_socket_directories = '" + layout.socketDir() + "'\n"
                + "max_connections = 30\n"
                + "shared_buffers = 16MB\n"
                + "wal_level = replica\n"
                + "max_wal_senders = 4\n"
                + "hot_standby = on\n"
                + "log_line_prefix = '%m [%p] '\n"
                + "log_checkpoints = on\n";
    }

    /** Trust for the service user only, on the unix socket and on 127.0.0.1. */
    static String hba(String user) {
        StringBuilder sb = new StringBuilder("# Written by whpg_dr_sync sandbox\n");
        for (String db : List.of("all", "replication")) {
            sb.append("local ").append(db).append(' ').append(user).append(" trust\n");
            sb.append("host ").append(db).append(' ').append(user).append(" 127.0.0.1/32 trust\n");
        }
        return sb.toString();
    }

    /** postgresql.conf with {@code line} as its last line, added once. */
    static String withLastLine(String postgresqlConf, String line) {
        String body = postgresqlConf.endsWith("\n") ? postgresqlConf : postgresqlConf + "\n";
        return body.endsWith("\n" + line + "\n") ? body : body + line + "\n";
    }
}
