package io.whpg.drsync.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.whpg.drsync.dr.DrHost;
import io.whpg.drsync.dr.HostShells;
import io.whpg.drsync.sandbox.SshKeys;
import io.whpg.drsync.sandbox.SshdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SshTransport and SshHostShell against real OpenSSH servers on 127.0.0.2 (ed25519) and 127.0.0.3 (ecdsa). */
class SshHostShellIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String HOST_A = "127.0.0.2";
    private static final String HOST_B = "127.0.0.3";
    private static final String USER = SshTestHosts.USER;

    private static SshTestHosts hosts;

    @BeforeAll
    static void startServers() {
        hosts = new SshTestHosts(List.of(HOST_A, HOST_B), List.of("ed25519", "ecdsa"));
    }

    @AfterAll
    static void stopServers() {
        if (hosts != null) {
            hosts.close();
        }
    }

    @Test
    void runsAScriptRemotelyAndReturnsStdoutStderrAndExitCode() {
        try (SshTransport ssh = hosts.transport(); SshHostShell shell = ssh.open(HOST_A, hosts.port, USER)) {
            CommandResult result = shell.run("id -un; echo to-stderr >&2; cat; exit 3", TIMEOUT);

            assertEquals(3, result.exitCode());
            assertEquals(USER + "\n", result.stdout(), "cat must see EOF on stdin, not hang");
            assertEquals("to-stderr\n", result.stderr());
            assertEquals(USER + "@" + HOST_A + ":" + hosts.port, shell.describe());
        }
    }

    @Test
    void acceptsAnEcdsaHostKeyListedInKnownHosts() {
        try (SshTransport ssh = hosts.transport(); SshHostShell shell = ssh.open(HOST_B, hosts.port, USER)) {
            assertEquals("ecdsa\n", shell.run("echo ecdsa", TIMEOUT).stdout());
        }
    }

    @Test
    void refusesAWrongHostKeyWithAClearErrorAndNoRetry() throws IOException {
        Path knownHosts = hosts.base.resolve("known_hosts-wrong");
        String impostorKey = SshKeys.generate(hosts.base.resolve("impostor_key"), "ed25519", null).publicKey();
        Files.writeString(knownHosts, SshKeys.knownHostsLine(HOST_A, hosts.port, impostorKey) + "\n");

        try (SshTransport ssh = new SshTransport(hosts.clientKey.privateKey(), knownHosts, Duration.ofSeconds(5), 3,
                Duration.ofSeconds(1), ""); SshHostShell shell = ssh.open(HOST_A, hosts.port, USER)) {
            long started = System.nanoTime();
            SshConnectException refused = assertThrows(SshConnectException.class, () -> shell.run("echo never", TIMEOUT));

            String message = refused.getMessage();
            assertTrue(message.matches("host key for 127\\.0\\.0\\.2:" + hosts.port + " does not match "
                    + knownHosts + " \\(offered ssh-ed25519 SHA256:\\S+, known ssh-ed25519 SHA256:\\S+\\):"
                    + " refusing to connect"), message);
            assertFalse(message.contains("\n"), message);
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(1).toNanos(), "a bad key is not retried");
            assertEquals(0, ssh.sessionsOpened());
        }
    }

    @Test
    void refusesAHostMissingFromKnownHosts() throws IOException {
        Path knownHosts = hosts.base.resolve("known_hosts-only-b");
        Files.writeString(knownHosts,
                SshKeys.knownHostsLine(HOST_B, hosts.port, hosts.server(1).hostPublicKey()) + "\n");

        try (SshTransport ssh = hosts.transport(hosts.clientKey.privateKey(), knownHosts)) {
            SshConnectException refused = assertThrows(SshConnectException.class,
                    () -> ssh.open(HOST_A, hosts.port, USER).run("echo never", TIMEOUT));

            assertTrue(refused.getMessage().matches("host key for 127\\.0\\.0\\.2:" + hosts.port + " is not in "
                    + knownHosts + " \\(offered ssh-ed25519 SHA256:\\S+\\): refusing to connect"), refused.getMessage());
            assertEquals("b\n", ssh.open(HOST_B, hosts.port, USER).run("echo b", TIMEOUT).stdout(),
                    "the listed host still works");
        }
    }

    @Test
    void readsHashedKnownHosts() throws IOException {
        Path knownHosts = hosts.base.resolve("known_hosts-hashed");
        Files.copy(hosts.knownHosts, knownHosts);
        CommandResult hashed = ProcessRunner.run(List.of("ssh-keygen", "-H", "-f", knownHosts.toString()), null, TIMEOUT);
        assertTrue(hashed.ok(), hashed.stderr());
        assertFalse(Files.readString(knownHosts).contains(HOST_A), "the file really is hashed");

        try (SshTransport ssh = hosts.transport(hosts.clientKey.privateKey(), knownHosts)) {
            assertTrue(ssh.open(HOST_A, hosts.port, USER).run("true", TIMEOUT).ok());
            assertTrue(ssh.open(HOST_B, hosts.port, USER).run("true", TIMEOUT).ok());
        }
    }

    @Test
    void negotiatesTheHostKeyTypeKnownHostsHoldsWhenTheServerHasSeveral() throws IOException {
        // MINA on its own prefers ECDSA and would refuse this host; OpenSSH's ssh accepts it.
        try (SshdServer both = SshdServer.start(hosts.base.resolve("sshd-two-keys"), USER, "127.0.0.4", 0,
                List.of(hosts.clientKey.publicKey()), List.of("ecdsa", "ed25519"))) {
            Path knownHosts = hosts.base.resolve("known_hosts-ed25519-only");
            Files.writeString(knownHosts,
                    SshKeys.knownHostsLine("127.0.0.4", both.port(), both.hostPublicKeys().get(1)) + "\n");

            try (SshTransport ssh = hosts.transport(hosts.clientKey.privateKey(), knownHosts);
                 SshHostShell shell = ssh.open("127.0.0.4", both.port(), USER)) {
                assertEquals("ok\n", shell.run("echo ok", TIMEOUT).stdout());
            }
        }
    }

    @Test
    void refusesAnUnknownClientKeyWithoutRetrying() {
        SshKeys.KeyPairFiles stranger = SshKeys.generate(hosts.base.resolve("stranger_key"), "ed25519", null);

        try (SshTransport ssh = hosts.transport(stranger.privateKey(), hosts.knownHosts)) {
            SshConnectException refused = assertThrows(SshConnectException.class,
                    () -> ssh.open(HOST_A, hosts.port, USER).run("echo never", TIMEOUT));

            assertTrue(refused.getMessage().startsWith("SSH login to " + USER + "@" + HOST_A + ":" + hosts.port
                    + " with key " + stranger.privateKey() + " failed: "), refused.getMessage());
        }
    }

    @Test
    void reportsAnUnreachableHostWithHostAndPortAfterTheRetries() throws IOException {
        int closedPort = SshdServer.freePort(HOST_B);

        try (SshTransport ssh = hosts.transport(); SshHostShell shell = ssh.open(HOST_B, closedPort, USER)) {
            long started = System.nanoTime();
            SshConnectException unreachable = assertThrows(SshConnectException.class,
                    () -> shell.run("echo never", TIMEOUT));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertEquals("cannot reach DR host 127.0.0.3:" + closedPort + " after 3 tries: Connection refused",
                    unreachable.getMessage());
            assertTrue(took.toMillis() >= 300, "backed off 100 + 200 ms between the tries, took " + took);

            long again = System.nanoTime();
            assertThrows(SshConnectException.class, () -> shell.run("echo never", TIMEOUT));
            assertTrue(System.nanoTime() - again < Duration.ofMillis(100).toNanos(),
                    "later steps on a failed host fail at once instead of retrying again");
        }
    }

    @Test
    void cutsOffAHangingCommandAtItsTimeoutAndKillsIt() throws IOException {
        Path pidFile = hosts.writableDir("hang").resolve("pid");
        try (SshTransport ssh = hosts.transport(); SshHostShell shell = ssh.open(HOST_A, hosts.port, USER)) {
            // Log in first: the bound below is the command's, not the SSH handshake's (slow on a loaded machine).
            assertTrue(shell.run("true", TIMEOUT).ok());
            long started = System.nanoTime();
            CommandTimeoutException timedOut = assertThrows(CommandTimeoutException.class,
                    () -> shell.run("echo $$ > " + ShellQuote.quote(pidFile.toString()) + "; exec sleep 600",
                            Duration.ofSeconds(2)));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertEquals(USER + "@127.0.0.2:" + hosts.port + ": command did not finish within 2 s and was killed",
                    timedOut.getMessage());
            assertTrue(took.toMillis() >= 2000 && took.toMillis() < 4000, "took " + took);
            long sleeper = Long.parseLong(Files.readString(pidFile).strip());
            assertTrue(gone(sleeper), "remote sleep " + sleeper + " must be killed");
            assertTrue(shell.run("true", TIMEOUT).ok(), "the session survives a timed-out command");
            assertEquals(1, ssh.sessionsOpened());
        }
    }

    @Test
    void boundsTheWaitEvenWhenTheRemoteTimeoutCannotFire() throws IOException {
        Path pidFile = hosts.writableDir("stopped").resolve("pids");
        try (SshTransport ssh = hosts.transport(); SshHostShell shell = ssh.open(HOST_A, hosts.port, USER)) {
            long started = System.nanoTime();
            // Stopping the remote `timeout` process stands in for a host that stops answering.
            assertThrows(CommandTimeoutException.class, () -> shell.run(
                    "echo $PPID $$ > " + ShellQuote.quote(pidFile.toString()) + "; kill -STOP $PPID; exec sleep 600",
                    Duration.ofSeconds(1)));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertTrue(took.toMillis() >= 1000 && took.toMillis() < 6000, "took " + took);
        } finally {
            for (String pid : Files.readString(pidFile).strip().split(" ")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void handlesADataDirectoryNamedWithQuotesDollarsSemicolonsAndSpaces() throws IOException {
        Path parent = hosts.writableDir("quoting");
        String name = "dr data 'x' $HOME; rm -rf /";
        String dataDir = parent + "/" + name; // the "/" in the name ends the path: the directory is "... rm -rf "
        String content = "15 $(id) `id` 'q' \"dq\" \\ ;";
        String script = "mkdir -p " + ShellQuote.quote(dataDir)
                + " && printf '%s' " + ShellQuote.quote(content) + " > " + ShellQuote.quote(dataDir + "/PG_VERSION")
                + " && cat " + ShellQuote.quote(dataDir + "/PG_VERSION");

        try (SshTransport ssh = hosts.transport(); SshHostShell shell = ssh.open(HOST_A, hosts.port, USER)) {
            CommandResult result = shell.run(script, TIMEOUT);

            assertEquals(0, result.exitCode(), result.stderr());
            assertEquals(content, result.stdout());
        }
        try (Stream<Path> entries = Files.list(parent)) {
            assertEquals(List.of("dr data 'x' $HOME; rm -rf "), entries.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(content, Files.readString(Path.of(dataDir, "PG_VERSION"), StandardCharsets.UTF_8));
    }

    @Test
    void oneKeptSessionServesEveryStepOfSeveralCyclesAndEndsWithTheTransport() throws IOException {
        long loginsBefore = SshTestHosts.acceptedLogins(hosts.server(0));
        Set<String> sshdProcesses = new HashSet<>();
        try (SshTransport ssh = hosts.transport()) {
            SshHostShell kept = ssh.open(HOST_A, hosts.port, USER);
            for (int cycle = 1; cycle <= 3; cycle++) {
                try (HostShells shells = new HostShells(h -> kept)) {
                    for (int step = 0; step < 4; step++) {
                        // the remote `timeout` is the script's parent; its parent is sshd's process for this connection
                        CommandResult result = shells.get(new DrHost(false, HOST_A, hosts.port, USER))
                                .run("ps -o ppid= -p $PPID", TIMEOUT);
                        assertTrue(result.ok(), result.stderr());
                        sshdProcesses.add(result.stdout().strip());
                    }
                    assertEquals(cycle == 1 ? 1 : 0, shells.sshSessions(), "logins in cycle " + cycle);
                }
            }
            assertEquals(1, ssh.sessionsOpened());
            assertEquals(1, sshdProcesses.size(), "one sshd connection served all three cycles: " + sshdProcesses);
            assertEquals(loginsBefore + 1, SshTestHosts.acceptedLogins(hosts.server(0)));
            assertFalse(gone(Long.parseLong(sshdProcesses.iterator().next())), "the end of a cycle keeps the session");
        }
        assertTrue(gone(Long.parseLong(sshdProcesses.iterator().next())), "closing the transport ends the session");
    }

    /**
     * A daemon's kept session when its host goes away (sshd and its sessions killed) and comes back: the next
     * use fails naming the host, the one after it (next cycle) connects again; a host back with another key is
     * refused on that reconnect exactly as on a first login.
     */
    @Test
    void aHostThatGoesAwayIsReachedAgainWhenItComesBackAndItsKeyIsCheckedOnEveryReconnect() throws IOException {
        SshdServer server = hosts.server(1);
        Path dir = hosts.base.resolve("sshd-" + HOST_B);
        Path hostKey = dir.resolve("ssh_host_ecdsa_key");
        byte[] key = Files.readAllBytes(hostKey);
        byte[] pub = Files.readAllBytes(dir.resolve("ssh_host_ecdsa_key.pub"));
        try (SshTransport ssh = hosts.transport()) {
            SshHostShell kept = ssh.open(HOST_B, hosts.port, USER);
            assertEquals("one\n", kept.run("echo one", TIMEOUT).stdout());
            kept.release();

            server.stop();
            SshConnectException lost = assertThrows(SshConnectException.class, () -> kept.run("echo two", TIMEOUT));
            assertTrue(lost.getMessage().contains("cannot reach DR host " + HOST_B + ":" + hosts.port), lost.getMessage());
            kept.release();

            SshKeys.generate(hostKey, "ecdsa", OsUser.isRoot() ? USER : null);
            server = restart(SshdServer.restart(dir, USER, HOST_B, hosts.port));
            SshConnectException impostor = assertThrows(SshConnectException.class, () -> kept.run("echo three", TIMEOUT));
            assertTrue(impostor.getMessage().startsWith("host key for " + HOST_B + ":" + hosts.port + " does not match "
                    + hosts.knownHosts), impostor.getMessage());
            kept.release();

            server.stop();
            Files.write(hostKey, key);
            Files.write(dir.resolve("ssh_host_ecdsa_key.pub"), pub);
            server = restart(SshdServer.restart(dir, USER, HOST_B, hosts.port));
            assertEquals("four\n", kept.run("echo four", TIMEOUT).stdout());
            assertEquals(2, kept.sessionsOpened(), "the first login and the one after the host came back with its key");
        } finally {
            Files.write(hostKey, key);
            Files.write(dir.resolve("ssh_host_ecdsa_key.pub"), pub);
        }
    }

    @Test
    void theConfiguredKeyExchangeIsTheOneNegotiated() {
        try (SshTransport ssh = new SshTransport(hosts.clientKey.privateKey(), hosts.knownHosts, Duration.ofSeconds(5), 1,
                Duration.ofSeconds(1), "curve25519-sha256"); SshHostShell shell = ssh.open(HOST_A, hosts.port, USER)) {
            assertEquals("ok\n", shell.run("echo ok", TIMEOUT).stdout());
            assertEquals("curve25519-sha256", shell.keyExchange());
        }
        try (SshTransport ssh = hosts.transport(); SshHostShell shell = ssh.open(HOST_A, hosts.port, USER)) {
            assertEquals("ok\n", shell.run("echo ok", TIMEOUT).stdout());
            assertEquals("sntrup761x25519-sha512", shell.keyExchange(), "the default stays post-quantum");
        }
    }

    /** Puts a restarted server in place of the stopped one, so the fixture stops it at the end. */
    private static SshdServer restart(SshdServer restarted) {
        hosts.servers.set(1, restarted);
        return restarted;
    }

    @Test
    void twoHostsWorkedInParallelEachGetTheirOwnSession() throws Exception {
        Path meeting = hosts.writableDir("meeting");
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try (SshTransport ssh = hosts.transport();
             HostShells cycle = new HostShells(h -> ssh.open(h.host(), h.sshPort(), h.user()))) {
            // Each host signs in, then waits for the other: run one after the other, the first would give up.
            List<Future<CommandResult>> runs = Stream.of(HOST_A, HOST_B).map(me -> workers.submit(() -> {
                String other = me.equals(HOST_A) ? HOST_B : HOST_A;
                return cycle.get(new DrHost(false, me, hosts.port, USER)).run(
                        "touch " + ShellQuote.quote(meeting.resolve(me).toString())
                                + "; i=0; while [ ! -e " + ShellQuote.quote(meeting.resolve(other).toString())
                                + " ]; do i=$((i+1)); [ $i -gt 100 ] && exit 9; sleep 0.05; done; echo met", TIMEOUT);
            })).toList();

            for (Future<CommandResult> run : runs) {
                assertEquals("met\n", run.get().stdout());
            }
            assertEquals(2, ssh.sessionsOpened());
            assertEquals(2, cycle.opened());
        } finally {
            workers.shutdownNow();
        }
    }

    /** True once the process is gone (allowing it 3 s to go). */
    private static boolean gone(long pid) {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
