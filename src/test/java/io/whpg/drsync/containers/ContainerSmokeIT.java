package io.whpg.drsync.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One DR-host container reached the way the tool reaches DR hosts: OpenSSH, key login, pinned host key. */
@RequiresContainerEngine
class ContainerSmokeIT {
    @TempDir
    static Path dir;
    static SshKeyPair clientKey;
    static DrHostContainer host;

    @BeforeAll
    static void startHost() {
        clientKey = SshKeyPair.generate(dir, "client");
        host = new DrHostContainer().withAuthorizedKey(clientKey.publicKey());
        host.start();
    }

    @AfterAll
    static void stopHost() {
        if (host != null) {
            host.stop();
        }
    }

    @Test
    void sshWithPinnedHostKeyRunsPostgresAsPostgres() throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), host.knownHostsLine() + "\n");

        CommandResult result = ssh(knownHosts, DrHostContainer.POSTGRES_BIN + "/postgres --version; id -un");

        assertEquals(0, result.exitCode(), result::firstErrorLine);
        List<String> lines = result.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("postgres (PostgreSQL) 15."), result.stdout());
        assertEquals("postgres", lines.get(1));
    }

    @Test
    void hostKeyOtherThanTheContainersIsRefused() throws IOException {
        String otherKey = SshKeyPair.generate(dir, "impostor").publicKey().split(" ")[1];
        Path knownHosts = Files.writeString(dir.resolve("known_hosts_wrong"),
                "[" + host.getHost() + "]:" + host.sshPort() + " ssh-ed25519 " + otherKey + "\n");

        CommandResult result = ssh(knownHosts, "true");

        assertEquals(255, result.exitCode(), result.stdout());
        assertTrue(result.stderr().contains("Host key verification failed"), result.stderr());
    }

    @Test
    void postgresServerRunsInsideTheHost() {
        // A DR copy is a real server run by postgres in the container: initdb, start, query, stop.
        String bin = DrHostContainer.POSTGRES_BIN;
        String script = "set -e; d=$(mktemp -d); " + bin + "/initdb -A trust -D $d/data >/dev/null; "
                + bin + "/pg_ctl -D $d/data -l $d/log -o '-c listen_addresses=' -w start >/dev/null; "
                + bin + "/psql -h /run/postgresql -d postgres -Atc 'select current_user, pg_is_in_recovery()'; "
                + bin + "/pg_ctl -D $d/data -m fast -w stop >/dev/null";

        CommandResult result = host.exec(DrHostContainer.LOGIN_USER, "sh", "-c", script);

        assertEquals(0, result.exitCode(), result::firstErrorLine);
        assertEquals("postgres|f", result.stdout().strip());
    }

    private static CommandResult ssh(Path knownHosts, String remoteCommand) {
        return ProcessRunner.run(List.of("ssh", "-F", "/dev/null", "-i", clientKey.privateKey().toString(),
                "-p", String.valueOf(host.sshPort()),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "ConnectTimeout=10",
                DrHostContainer.LOGIN_USER + "@" + host.getHost(), remoteCommand), null, Duration.ofSeconds(30));
    }
}
