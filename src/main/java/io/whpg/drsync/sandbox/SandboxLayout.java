package io.whpg.drsync.sandbox;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where everything lives under the sandbox directory:
 * <pre>
 *   primary/gpseg-1, primary/gpseg0, ...   primary data dirs (coordinator, segments)
 *   dr/gpseg-1, dr/gpseg0, ...             DR copies (base backups), server log in log/postgresql.log
 *   archive/-1, archive/0, ...             WAL archive, one directory per content id (layout %c)
 *   run/                                   unix sockets of every instance
 *   logs/primary-gpseg-1.log, ...          primary server logs (outside the data dirs, so no base backup copies them)
 *   dr_sync/                               the tool's manifests, LATEST.json, state and receipts
 *   ssh/id_ed25519, ssh/known_hosts        with --hosts: the tool's client key and the DR hosts' keys
 *   ssh/127.0.0.2/, ...                    with --hosts: one sshd each (config, host key, pid file, log)
 *   dr_sync_config.json, sandbox.json
 * </pre>
 */
record SandboxLayout(Path dir) {
    /** Characters that need no quoting in a shell command, a postgresql.conf string or JSON. */
    private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9_./+-]+");
    /** sun_path is 108 bytes with its NUL; PostgreSQL refuses longer socket paths. */
    private static final int MAX_SOCKET_PATH = 107;
    static final String DR_LOG_DIR = "log";
    static final String DR_LOG_FILE = "postgresql.log";

    SandboxLayout {
        dir = dir.toAbsolutePath().normalize();
    }

    /** Checks that the directory can be written unquoted into archive_command and is short enough for sockets. */
    static SandboxLayout of(Path dir) {
        SandboxLayout layout = new SandboxLayout(dir);
        String text = layout.dir.toString();
        if (!PLAIN_PATH.matcher(text).matches()) {
            throw new IllegalArgumentException("sandbox dir: only letters, digits and _ . / + - are allowed"
                    + " (it goes unquoted into archive_command), got " + text);
        }
        String socket = layout.socketDir().resolve(".s.PGSQL.65535").toString();
        if (socket.length() > MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("sandbox dir: too long for unix socket paths (max "
                    + (MAX_SOCKET_PATH - socket.length() + text.length()) + " characters), got " + text);
        }
        return layout;
    }

    static String instanceName(int contentId) {
        return "gpseg" + contentId;
    }

    Path primaryDataDir(int contentId) {
        return dir.resolve("primary").resolve(instanceName(contentId));
    }

    Path drDataDir(int contentId) {
        return dir.resolve("dr").resolve(instanceName(contentId));
    }

    Path archiveDir() {
        return dir.resolve("archive");
    }

    Path archiveDir(int contentId) {
        return archiveDir().resolve(Integer.toString(contentId));
    }

    Path socketDir() {
        return dir.resolve("run");
    }

    Path logDir() {
        return dir.resolve("logs");
    }

    Path primaryLog(int contentId) {
        return logDir().resolve("primary-" + instanceName(contentId) + ".log");
    }

    Path drLog(int contentId) {
        return drDataDir(contentId).resolve(DR_LOG_DIR).resolve(DR_LOG_FILE);
    }

    Path drSyncDir() {
        return dir.resolve("dr_sync");
    }

    Path sshDir() {
        return dir.resolve("ssh");
    }

    Path sshHostDir(String address) {
        return sshDir().resolve(address);
    }

    Path clientKey() {
        return sshDir().resolve("id_ed25519");
    }

    Path knownHosts() {
        return sshDir().resolve("known_hosts");
    }

    Path configFile() {
        return dir.resolve("dr_sync_config.json");
    }

    Path descriptorFile() {
        return dir.resolve("sandbox.json");
    }
}
