package io.whpg.drsync.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * What a suite needs from the machine (PostgreSQL 15's server binaries, OpenSSH's sshd and ssh-keygen). On a
 * developer's machine without it the suite is skipped with one line naming the package; in CI (CI=true, as
 * .ci/run and most CI services set it) it fails instead, so a suite never passes in CI by not running.
 */
public final class Requires {
    public static final String PG_BIN = "/usr/lib/postgresql/15/bin";

    private Requires() {
    }

    /** The sandbox's servers: initdb, pg_ctl, postgres, pg_basebackup, pg_controldata (Debian: postgresql-15). */
    public static void postgresql() {
        require("PostgreSQL 15 server binaries in " + PG_BIN, "apt-get install postgresql-15",
                List.of("initdb", "pg_ctl", "postgres", "pg_basebackup", "pg_controldata").stream()
                        .map(b -> Path.of(PG_BIN, b)).toList());
    }

    /** Private OpenSSH servers: /usr/sbin/sshd and ssh-keygen (Debian: openssh-server, openssh-client). */
    public static void openssh() {
        require("OpenSSH (/usr/sbin/sshd, /usr/bin/ssh-keygen)", "apt-get install openssh-server openssh-client",
                List.of(Path.of("/usr/sbin/sshd"), Path.of("/usr/bin/ssh-keygen")));
    }

    /** Key generation only: ssh-keygen (Debian: openssh-client). */
    public static void sshKeygen() {
        require("ssh-keygen", "apt-get install openssh-client", List.of(Path.of("/usr/bin/ssh-keygen")));
    }

    static void require(String what, String install, List<Path> executables) {
        if (executables.stream().allMatch(Files::isExecutable)) {
            return;
        }
        String reason = "no " + what + " (" + install + ")";
        if (inCi(System.getenv())) {
            throw new IllegalStateException(reason + ", but CI=" + System.getenv("CI") + " requires this suite");
        }
        Assumptions.abort(reason + ": suite skipped");
    }

    static boolean inCi(Map<String, String> env) {
        String ci = env.getOrDefault("CI", "");
        return ci.equalsIgnoreCase("true") || ci.equals("1");
    }
}
