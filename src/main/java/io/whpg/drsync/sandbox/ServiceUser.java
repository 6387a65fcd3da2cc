package io.whpg.drsync.sandbox;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.OsUser;
import io.whpg.drsync.exec.ProcessRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;

/** The unprivileged OS user that owns the sandbox's files and runs its servers (PostgreSQL refuses root). */
final class ServiceUser {
    static final String CREATED_USER = "whpgsbx";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ServiceUser() {
    }

    /** As root: {@code postgres} if it exists, else {@code whpgsbx} (created if needed); otherwise whoever runs this JVM. */
    static String resolve() throws IOException {
        if (!OsUser.isRoot()) {
            return OsUser.current();
        }
        if (exists("postgres")) {
            return "postgres";
        }
        if (!exists(CREATED_USER)) {
            // A real shell, as the SSH sandbox's sshd runs the DR steps through it; there is no password to log in with.
            CommandResult r = ProcessRunner.run(List.of("useradd", "--system", "--user-group", "--no-create-home",
                    "--home-dir", "/nonexistent", "--shell", "/bin/sh", CREATED_USER), null, TIMEOUT);
            if (!r.ok()) {
                throw new IOException("cannot create service user " + CREATED_USER + ": " + r.firstErrorLine());
            }
        }
        return CREATED_USER;
    }

    /** sshd runs remote commands through the login shell: nologin or false would refuse every DR step. */
    static void checkCanLogIn(String user) throws IOException {
        CommandResult r = ProcessRunner.run(List.of("getent", "passwd", user), null, TIMEOUT);
        String[] fields = r.stdout().strip().split(":", -1);
        if (!r.ok() || fields.length != 7) {
            throw new IOException("hosts: service user " + user + ": no passwd entry (getent passwd " + user + ")");
        }
        String shell = fields[6];
        if (shell.endsWith("/nologin") || shell.endsWith("/false")) {
            throw new IOException("hosts: service user " + user + " has login shell \"" + shell
                    + "\", so its sshd cannot run the DR steps; give it a shell (usermod -s /bin/sh " + user + ")");
        }
    }

    private static boolean exists(String user) {
        return ProcessRunner.run(List.of("id", "-u", user), null, TIMEOUT).ok();
    }

    /** Fails with one line unless {@code user} can enter and write {@code dir} (every parent must be traversable). */
    static void checkCanUse(Path dir, String user) throws IOException {
        CommandResult r = ProcessRunner.run(List.of("test", "-x", dir.toString(), "-a", "-w", dir.toString()),
                user, TIMEOUT);
        if (!r.ok()) {
            throw new IOException("sandbox dir " + dir + ": user " + user
                    + " cannot reach it (a parent directory is not traversable, e.g. /root); use a directory under /tmp");
        }
    }

    /** Gives {@code path} to {@code user}; a no-op unless this JVM is root acting for someone else. */
    static void chown(Path path, String user) throws IOException {
        if (OsUser.isRoot() && !user.equals(OsUser.current())) {
            UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(path, users.lookupPrincipalByName(user));
        }
    }
}
