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
import org.apache.sshd.common.kex.KexProposalOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scripts on one remote DR host over one SSH session, opened at the first script and kept
 * until {@link #close()}: every step of every instance on the host shares it, in a daemon across
 * cycles, each script in its own exec channel. A session found lost (the host went away, a keepalive
 * went unanswered, a channel cannot be opened) is dropped and opened again, the host key checked
 * again, at its next use; a reused session that cannot open a channel is replaced at once, before
 * the script runs. Get one from {@link SshTransport#open}.
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
    /** A host that could not be reached or refused us stays failed until {@link #release()}: no retry storm per step. */
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
        int loginsBefore = logins;
        ClientSession current = session();
        boolean reused = logins == loginsBefore;
        try {
            channels.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(describe() + ": interrupted before running a command", e);
        }
        try {
            try {
                return exec(current, script, timeout);
            } catch (ChannelNotOpened e) {
                if (!reused) {
                    throw e;
                }
                // the kept session died since its last use (the host restarted, the network dropped it)
                LOG.info("SSH session to {} was lost ({}); opening a new one", describe(), e.getMessage());
                return exec(session(), script, timeout);
            }
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

    /** The key exchange the open session negotiated; null when none is open. */
    String keyExchange() {
        synchronized (connectLock) {
            return session == null ? null : session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS);
        }
    }

    /** The cycle is over: the session is kept for the next one; a failure to reach the host is forgotten. */
    @Override
    public void release() {
        synchronized (connectLock) {
            failure = null;
        }
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
        ChannelExec opened;
        try {
            opened = current.createExecChannel(remoteCommand(script, timeout));
            opened.setOut(out);
            opened.setErr(err);
            opened.open().verify(transport.connectTimeout());
        } catch (IOException | RuntimeException e) {
            drop(current);
            throw new ChannelNotOpened(describe() + ": cannot open a channel: " + rootMessage(e), e);
        }
        try (ChannelExec channel = opened) {
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
                drop(current);
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
            drop(current);
            throw new SshConnectException(describe() + ": cannot run a command: " + rootMessage(e), e);
        }
    }

    /** Forgets a session that failed, so the next use opens a new one (unless another thread did already). */
    private void drop(ClientSession failed) {
        synchronized (connectLock) {
            if (session == failed) {
                session = null;
            }
        }
        failed.close(true);
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
                LOG.info("SSH session {} opened to {} (key exchange {})", transport.sessionOpened(), describe(),
                        session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
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

    /** A channel could not be opened on a session: nothing of the script ran. */
    private static final class ChannelNotOpened extends SshConnectException {
        ChannelNotOpened(String message, Throwable cause) {
            super(message, cause);
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
