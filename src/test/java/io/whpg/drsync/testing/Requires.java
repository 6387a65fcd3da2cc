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
        String requiredBy = requiredBy(System.getenv(), null);
        if (requiredBy != null) {
            throw new IllegalStateException(reason + ", but " + requiredBy + " requires this suite");
        }
        Assumptions.abort(reason + ": suite skipped");
    }

    /**
     * What turns a skip into a failure: {@code CI=true} (or 1), or {@code flag=1} for a suite's own switch
     * (e.g. WHPG_REQUIRE_CONTAINERS); null on a developer's machine.
     */
    public static String requiredBy(Map<String, String> env, String flag) {
        String ci = env.getOrDefault("CI", "");
        if (ci.equalsIgnoreCase("true") || ci.equals("1")) {
            return "CI=" + ci;
        }
        if (flag != null && "1".equals(env.get(flag))) {
            return flag + "=1";
        }
        return null;
    }
}
