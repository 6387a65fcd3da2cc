package io.whpg.drsync.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Semaphore;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scripts on one remote DR host over one SSH session, opened at the first script and kept
 * until {@link #close()}: every step of every instance on the host in a cycle shares it, each
 * script in its own exec channel. Get one from {@link SshTransport#open}.
 * <p>
 * A script runs as {@code exec timeout -k 1 T sh -c 'SCRIPT'}: the remote {@code timeout} kills
 * the script's whole process group at T, and the client stops waiting at T plus a grace in case
 * the host itself stops answering.
 */
public final class SshHostShell implements HostShell {
    private static final Logger LOG = LoggerFactory.getLogger(SshHostShell.class);
    /** GNU timeout exits 124 when TERM stopped the command, 137 when it took KILL. */
    private static final Set<Integer> TIMEOUT_EXITS = Set.of(124, 137);
    private static final int KILL_AFTER_SECONDS = 1;
    private static final Duration CLIENT_GRACE = Duration.ofSeconds(KILL_AFTER_SECONDS + 2);
    /** OpenSSH refuses more than MaxSessions (default 10) channels on one connection. */
    private static final int MAX_CHANNELS = 8;

    private final SshTransport transport;
    private final String host;
    private final int port;
    private final String user;
    private final Semaphore channels = new Semaphore(MAX_CHANNELS);
    private final Object connectLock = new Object();
    private ClientSession session;
    private volatile int logins;
    /** A host that could not be reached or refused us stays failed for the cycle: no retry storm per step. */
    private SshConnectException failure;

    SshHostShell(SshTransport transport, String host, int port, String user) {
        this.transport = transport;
        this.host = host;
        this.port = port;
        this.user = user;
    }

    @Override
    public CommandResult run(String script, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("command timeout must be positive, got " + timeout);
        }
        ClientSession current = session();
        try {
            channels.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(describe() + ": interrupted before running a command", e);
        }
        try {
            return exec(current, script, timeout);
        } finally {
            channels.release();
        }
    }

    @Override
    public String describe() {
        return user + "@" + host + ":" + port;
    }

    @Override
    public int sessionsOpened() {
        return logins;
    }

    /** Ends the session; a later {@link #run} would open a new one. */
    @Override
    public void close() {
        synchronized (connectLock) {
            if (session != null) {
                try {
                    session.close(false).await(transport.connectTimeout());
                } catch (IOException e) {
                    session.close(true);
                }
                session = null;
            }
            failure = null;
        }
    }

    /** The remote command line: the login shell parses only this fixed frame; the script stays one quoted word. */
    static String remoteCommand(String script, Duration timeout) {
        long millis = timeout.toMillis();
        return String.format("exec timeout -k %d %d.%03d sh -c %s",
                KILL_AFTER_SECONDS, millis / 1000, millis % 1000, ShellQuote.quote(script));
    }

    private CommandResult exec(ClientSession current, String script, Duration timeout) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long started = System.nanoTime();
        try (ChannelExec channel = current.createExecChannel(remoteCommand(script, timeout))) {
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(transport.connectTimeout());
            channel.getInvertedIn().close(); // no stdin: a step that reads it gets EOF, not a hang
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED),
                    timeout.plus(CLIENT_GRACE));
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                channel.close(true);
                throw new CommandTimeoutException(describe(), timeout);
            }
            Integer status = channel.getExitStatus();
            String signal = channel.getExitSignal();
            if (status == null && signal == null) {
                throw new SshConnectException(describe() + ": the connection closed before the command reported"
                        + " its exit status", null);
            }
            boolean pastDeadline = System.nanoTime() - started >= timeout.toNanos();
            if (pastDeadline && (signal != null || TIMEOUT_EXITS.contains(status))) {
                throw new CommandTimeoutException(describe(), timeout);
            }
            String stderr = err.toString(StandardCharsets.UTF_8);
            if (status == null) {
                return new CommandResult(255, out.toString(StandardCharsets.UTF_8),
                        stderr + "remote command killed by signal " + signal + "\n");
            }
            return new CommandResult(status, out.toString(StandardCharsets.UTF_8), stderr);
        } catch (IOException e) {
            throw new SshConnectException(describe() + ": cannot run a command: " + rootMessage(e), e);
        }
    }

    private ClientSession session() {
        synchronized (connectLock) {
            if (failure != null) {
                throw new SshConnectException(failure.getMessage(), failure);
            }
            if (session == null || !session.isOpen()) {
                try {
                    session = login(dial());
                } catch (SshConnectException e) {
                    failure = e;
                    throw e;
                }
                logins++;
                LOG.info("SSH session {} opened to {}", transport.sessionOpened(), describe());
            }
            return session;
        }
    }

    /** TCP connect plus SSH banner; only this part is retried, since a refused key or login will not change. */
    private ClientSession dial() {
        int tries = transport.connectTries();
        for (int attempt = 1; ; attempt++) {
            try {
                return transport.client().connect(user, host, port, KnownHostsVerifier.target(host, port), null)
                        .verify(transport.connectTimeout()).getClientSession();
            } catch (IOException e) {
                if (attempt >= tries) {
                    throw new SshConnectException("cannot reach DR host " + host + ":" + port + " after "
                            + tries + (tries == 1 ? " try: " : " tries: ") + rootMessage(e), e);
                }
                Duration pause = transport.retryBackoff().multipliedBy(1L << Math.min(attempt - 1, 10));
                LOG.warn("cannot reach DR host {}:{} (try {} of {}): {}; trying again in {} ms",
                        host, port, attempt, tries, rootMessage(e), pause.toMillis());
                sleep(pause);
            }
        }
    }

    private ClientSession login(ClientSession dialled) {
        try {
            dialled.auth().verify(transport.connectTimeout());
            return dialled;
        } catch (IOException e) {
            String refusal = transport.verifier().refusal(dialled);
            dialled.close(true);
            if (refusal != null) {
                throw new SshConnectException("host key for " + host + ":" + port + " " + refusal
                        + ": refusing to connect", e);
            }
            throw new SshConnectException("SSH login to " + describe() + " with key " + transport.identity()
                    + " failed: " + rootMessage(e), e);
        }
    }

    private void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to reconnect to " + describe(), e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
