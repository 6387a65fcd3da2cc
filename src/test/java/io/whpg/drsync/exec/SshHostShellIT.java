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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import io.whpg.drsync.sandbox.SshKeys;
import io.whpg.drsync.sandbox.SshdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SshHostShell and SshHosts against real OpenSSH servers on 127.0.0.2 (ed25519) and 127.0.0.3 (ecdsa). */
class SshHostShellIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String HOST_A = "127.0.0.2";
    private static final String HOST_B = "127.0.0.3";

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
        try (SshHosts ssh = new SshHosts(hosts.settings())) {
            CommandResult result = ssh.shell(HOST_A).run("id -un; echo to-stderr >&2; cat; exit 3", TIMEOUT);

            assertEquals(3, result.exitCode());
            assertEquals(SshTestHosts.USER + "\n", result.stdout(), "cat must see EOF on stdin, not hang");
            assertEquals("to-stderr\n", result.stderr());
            assertEquals(SshTestHosts.USER + "@" + HOST_A + ":" + hosts.port, ssh.shell(HOST_A).describe());
        }
    }

    @Test
    void acceptsAnEcdsaHostKeyListedInKnownHosts() {
        try (SshHosts ssh = new SshHosts(hosts.settings())) {
            assertEquals("ecdsa\n", ssh.shell(HOST_B).run("echo ecdsa", TIMEOUT).stdout());
        }
    }

    @Test
    void refusesAWrongHostKeyWithAClearError() throws IOException {
        Path knownHosts = hosts.base.resolve("known_hosts-wrong");
        String impostorKey = SshKeys.generate(hosts.base.resolve("impostor_key"), "ed25519", null).publicKey();
        Files.writeString(knownHosts, SshKeys.knownHostsLine(HOST_A, hosts.port, impostorKey) + "\n");
        SshSettings settings = new SshSettings(SshTestHosts.USER, hosts.port, hosts.clientKey.privateKey(),
                knownHosts, Duration.ofSeconds(5), 3, Duration.ofSeconds(1), 4);

        try (SshHosts ssh = new SshHosts(settings)) {
            long started = System.nanoTime();
            SshConnectException refused = assertThrows(SshConnectException.class,
                    () -> ssh.shell(HOST_A).run("echo never", TIMEOUT));

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
        SshSettings settings = SshSettings.of(SshTestHosts.USER, hosts.port, hosts.clientKey.privateKey(), knownHosts);

        try (SshHosts ssh = new SshHosts(settings)) {
            SshConnectException refused = assertThrows(SshConnectException.class,
                    () -> ssh.shell(HOST_A).run("echo never", TIMEOUT));

            assertTrue(refused.getMessage().matches("host key for 127\\.0\\.0\\.2:" + hosts.port + " is not in "
                    + knownHosts + " \\(offered ssh-ed25519 SHA256:\\S+\\): refusing to connect"), refused.getMessage());
            assertEquals("b\n", ssh.shell(HOST_B).run("echo b", TIMEOUT).stdout(), "the listed host still works");
        }
    }

    @Test
    void readsHashedKnownHosts() throws IOException {
        Path knownHosts = hosts.base.resolve("known_hosts-hashed");
        Files.copy(hosts.knownHosts, knownHosts);
        CommandResult hashed = ProcessRunner.run(List.of("ssh-keygen", "-H", "-f", knownHosts.toString()), null, TIMEOUT);
        assertTrue(hashed.ok(), hashed.stderr());
        assertFalse(Files.readString(knownHosts).contains(HOST_A), "the file really is hashed");

        try (SshHosts ssh = new SshHosts(SshSettings.of(SshTestHosts.USER, hosts.port, hosts.clientKey.privateKey(),
                knownHosts))) {
            assertTrue(ssh.shell(HOST_A).run("true", TIMEOUT).ok());
            assertTrue(ssh.shell(HOST_B).run("true", TIMEOUT).ok());
        }
    }

    @Test
    void negotiatesTheHostKeyTypeKnownHostsHoldsWhenTheServerHasSeveral() throws IOException {
        // MINA on its own prefers ECDSA and would refuse this host; OpenSSH's ssh accepts it.
        try (SshdServer both = SshdServer.start(hosts.base.resolve("sshd-two-keys"), SshTestHosts.USER, "127.0.0.4",
                0, List.of(hosts.clientKey.publicKey()), List.of("ecdsa", "ed25519"))) {
            Path knownHosts = hosts.base.resolve("known_hosts-ed25519-only");
            Files.writeString(knownHosts,
                    SshKeys.knownHostsLine("127.0.0.4", both.port(), both.hostPublicKeys().get(1)) + "\n");

            try (SshHosts ssh = new SshHosts(SshSettings.of(SshTestHosts.USER, both.port(),
                    hosts.clientKey.privateKey(), knownHosts))) {
                assertEquals("ok\n", ssh.shell("127.0.0.4").run("echo ok", TIMEOUT).stdout());
            }
        }
    }

    @Test
    void refusesAnUnknownClientKeyWithoutRetrying() {
        SshKeys.KeyPairFiles stranger = SshKeys.generate(hosts.base.resolve("stranger_key"), "ed25519", null);
        SshSettings settings = SshSettings.of(SshTestHosts.USER, hosts.port, stranger.privateKey(), hosts.knownHosts);

        try (SshHosts ssh = new SshHosts(settings)) {
            SshConnectException refused = assertThrows(SshConnectException.class,
                    () -> ssh.shell(HOST_A).run("echo never", TIMEOUT));

            assertTrue(refused.getMessage().startsWith("SSH login to " + SshTestHosts.USER + "@" + HOST_A + ":"
                    + hosts.port + " with key " + stranger.privateKey() + " failed: "), refused.getMessage());
        }
    }

    @Test
    void reportsAnUnreachableHostWithHostAndPortAfterTheRetries() throws IOException {
        int closedPort = SshdServer.freePort(HOST_B);
        SshSettings settings = SshSettings.of(SshTestHosts.USER, closedPort, hosts.clientKey.privateKey(),
                hosts.knownHosts).withRetry(Duration.ofSeconds(2), 3, Duration.ofMillis(100));

        try (SshHosts ssh = new SshHosts(settings)) {
            long started = System.nanoTime();
            SshConnectException unreachable = assertThrows(SshConnectException.class,
                    () -> ssh.shell(HOST_B).run("echo never", TIMEOUT));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertEquals("cannot reach DR host 127.0.0.3:" + closedPort + " after 3 tries: Connection refused",
                    unreachable.getMessage());
            assertTrue(took.toMillis() >= 300, "backed off 100 + 200 ms between the tries, took " + took);

            long again = System.nanoTime();
            assertThrows(SshConnectException.class, () -> ssh.shell(HOST_B).run("echo never", TIMEOUT));
            assertTrue(System.nanoTime() - again < Duration.ofMillis(100).toNanos(),
                    "later steps on a failed host fail at once instead of retrying again");
        }
    }

    @Test
    void cutsOffAHangingCommandAtItsTimeoutAndKillsIt() throws IOException {
        Path pidFile = hosts.writableDir("hang").resolve("pid");
        try (SshHosts ssh = new SshHosts(hosts.settings())) {
            long started = System.nanoTime();
            CommandTimeoutException timedOut = assertThrows(CommandTimeoutException.class,
                    () -> ssh.shell(HOST_A).run("echo $$ > " + ShellQuote.quote(pidFile.toString())
                            + "; exec sleep 600", Duration.ofSeconds(2)));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertEquals(SshTestHosts.USER + "@127.0.0.2:" + hosts.port
                    + ": command did not finish within 2 s and was killed", timedOut.getMessage());
            assertTrue(took.toMillis() >= 2000 && took.toMillis() < 4000, "took " + took);
            long sleeper = Long.parseLong(Files.readString(pidFile).strip());
            assertTrue(gone(sleeper), "remote sleep " + sleeper + " must be killed");
            assertTrue(ssh.shell(HOST_A).run("true", TIMEOUT).ok(), "the session survives a timed-out command");
            assertEquals(1, ssh.sessionsOpened());
        }
    }

    @Test
    void boundsTheWaitEvenWhenTheRemoteTimeoutCannotFire() throws IOException {
        Path pidFile = hosts.writableDir("stopped").resolve("pids");
        try (SshHosts ssh = new SshHosts(hosts.settings())) {
            long started = System.nanoTime();
            // Stopping the remote `timeout` process stands in for a host that stops answering.
            assertThrows(CommandTimeoutException.class, () -> ssh.shell(HOST_A).run(
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

        try (SshHosts ssh = new SshHosts(hosts.settings())) {
            CommandResult result = ssh.shell(HOST_A).run(script, TIMEOUT);

            assertEquals(0, result.exitCode(), result.stderr());
            assertEquals(content, result.stdout());
        }
        try (Stream<Path> entries = Files.list(parent)) {
            assertEquals(List.of("dr data 'x' $HOME; rm -rf "), entries.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(content, Files.readString(Path.of(dataDir, "PG_VERSION"), StandardCharsets.UTF_8));
    }

    @Test
    void reusesOneSessionForAllScriptsOnAHostInACycle() throws IOException {
        long loginsBefore = SshTestHosts.acceptedLogins(hosts.server(0));
        Set<String> sshdProcesses = new HashSet<>();
        try (SshHosts ssh = new SshHosts(hosts.settings())) {
            for (int i = 0; i < 5; i++) {
                // the remote `timeout` is the script's parent; its parent is sshd's process for this connection
                CommandResult result = ssh.shell(HOST_A).run("ps -o ppid= -p $PPID", TIMEOUT);
                assertTrue(result.ok(), result.stderr());
                sshdProcesses.add(result.stdout().strip());
            }

            assertEquals(1, ssh.sessionsOpened());
            assertEquals(1, sshdProcesses.size(), "one sshd connection process served all five: " + sshdProcesses);
            assertEquals(loginsBefore + 1, SshTestHosts.acceptedLogins(hosts.server(0)));
        }
        assertTrue(gone(Long.parseLong(sshdProcesses.iterator().next())), "closing the cycle ends the session");
    }

    @Test
    void worksTwoHostsInParallelEachWithItsOwnSession() throws IOException {
        Path meeting = hosts.writableDir("meeting");
        try (SshHosts ssh = new SshHosts(hosts.settings().withParallelHosts(2))) {
            // Each host signs in, then waits for the other: run one after the other, the first would time out.
            Map<String, CompletableFuture<CommandResult>> outcomes = ssh.onEachHost(List.of(HOST_A, HOST_B, HOST_A),
                    shell -> {
                        String me = shell.describe().replaceAll(".*@([0-9.]+):.*", "$1");
                        String other = me.equals(HOST_A) ? HOST_B : HOST_A;
                        return shell.run("touch " + ShellQuote.quote(meeting.resolve(me).toString())
                                + "; i=0; while [ ! -e " + ShellQuote.quote(meeting.resolve(other).toString())
                                + " ]; do i=$((i+1)); [ $i -gt 100 ] && exit 9; sleep 0.05; done; echo met", TIMEOUT);
                    });

            assertEquals(List.of(HOST_A, HOST_B), List.copyOf(outcomes.keySet()));
            for (CompletableFuture<CommandResult> outcome : outcomes.values()) {
                assertEquals("met\n", outcome.join().stdout());
            }
            assertEquals(2, ssh.sessionsOpened());
        }
    }

    @Test
    void oneFailingHostDoesNotStopTheOthers() {
        try (SshHosts ssh = new SshHosts(hosts.settings().withRetry(Duration.ofSeconds(2), 2, Duration.ofMillis(10)))) {
            Map<String, CompletableFuture<CommandResult>> outcomes = ssh.onEachHost(List.of(HOST_A, "127.0.0.9"),
                    shell -> shell.run("echo fine", TIMEOUT));

            assertEquals("fine\n", outcomes.get(HOST_A).join().stdout());
            assertTrue(outcomes.get("127.0.0.9").isCompletedExceptionally());
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
