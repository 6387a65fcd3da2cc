package io.whpg.drsync.primary;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The publisher's connections to one server, opened once and reused: by every query of a cycle, and by the
 * daemon across cycles (a fresh connection costs the server a fork and the tool a handshake, 10-30 ms each,
 * many times per cycle). A connection handed back in autocommit mode waits, idle, for the next query; one idle
 * longer than {@link #VALIDATE_AFTER_MILLIS} is checked with a round trip before reuse and, when the server
 * was restarted or the network dropped it, closed and replaced by a new one. With none idle, a new one is
 * opened on the caller's thread, so an unreachable server fails the query at once with the driver's own error.
 * One keeper per instance for the process's life (Camel's jdbc endpoints hold on to it): when the instance moves
 * (a mirror promoted on another host), {@link #pointAt} closes what was kept and opens the next at the new address.
 */
public final class KeptConnections implements DataSource, AutoCloseable {
    static final long VALIDATE_AFTER_MILLIS = 1000;

    private DataSource target;
    private String where;
    private final int validateTimeoutSecs;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private boolean closed;

    private record Idle(Connection connection, String where, long since) {
    }

    /** {@code where} names the server ({@code host:port}) in messages and for {@link #pointAt}. */
    public KeptConnections(DataSource target, String where, int validateTimeoutSecs) {
        this.target = target;
        this.where = where;
        this.validateTimeoutSecs = Math.max(1, validateTimeoutSecs);
    }

    /**
     * Connections go to {@code newWhere} from now on; idle ones to the old address are closed (one in use is closed
     * when handed back). Returns whether the address changed.
     */
    public boolean pointAt(String newWhere, Supplier<DataSource> newTarget) {
        Deque<Idle> old;
        synchronized (this) {
            if (where.equals(newWhere)) {
                return false;
            }
            where = newWhere;
            target = newTarget.get();
            old = new ArrayDeque<>(idle);
            idle.clear();
        }
        old.forEach(i -> closeQuietly(i.connection()));
        return true;
    }

    @Override
    public Connection getConnection() throws SQLException {
        while (true) {
            Idle i;
            DataSource to;
            String at;
            synchronized (this) {
                if (closed) {
                    throw new SQLException("connections to " + where + " are closed (the tool is stopping)");
                }
                i = idle.pollFirst();
                to = target;
                at = where;
            }
            if (i == null) {
                return kept(to.getConnection(), at);
            }
            if (System.nanoTime() - i.since() < VALIDATE_AFTER_MILLIS * 1_000_000L || valid(i.connection())) {
                return kept(i.connection(), i.where());
            }
            closeQuietly(i.connection());
        }
    }

    /**
     * Opens one connection and keeps it for the first query (e.g. while Camel starts); a failure is left for that
     * query to report, with its own one-line error.
     */
    public void openAhead() {
        try {
            getConnection().close();
        } catch (SQLException later) {
            // the first query opens its own and fails with this cause, naming the instance
        }
    }

    private boolean valid(Connection c) {
        try {
            return c.isValid(validateTimeoutSecs);
        } catch (SQLException e) {
            return false;
        }
    }

    /** A view of {@code physical} (open to {@code at}) whose close() hands it back instead of closing it. */
    private Connection kept(Connection physical, String at) {
        boolean[] released = {false};
        return (Connection) Proxy.newProxyInstance(KeptConnections.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                            if (!released[0]) {
                                released[0] = true;
                                release(physical, at);
                            }
                            return null;
                        case "isClosed":
                            return released[0] || physical.isClosed();
                        case "rollback":
                        case "setAutoCommit":
                            if (!released[0] && physical.isClosed()) {
                                return null; // the server ended the session (and its transaction): nothing to undo
                            }
                            break;
                        case "unwrap":
                        case "isWrapperFor":
                            break;
                        default:
                            if (released[0]) {
                                throw new SQLException("connection to " + at + " already handed back");
                            }
                    }
                    try {
                        return method.invoke(physical, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Kept when it is open, outside a transaction and still to the current address; anything else is closed (the
     * next query opens a new one).
     */
    private void release(Connection physical, String at) {
        boolean keep;
        try {
            keep = !physical.isClosed() && physical.getAutoCommit();
        } catch (SQLException e) {
            keep = false;
        }
        synchronized (this) {
            if (keep && !closed && at.equals(where)) {
                idle.addFirst(new Idle(physical, at, System.nanoTime()));
                return;
            }
        }
        closeQuietly(physical);
    }

    /** Closes every idle connection; later requests fail. */
    @Override
    public void close() {
        Deque<Idle> all;
        synchronized (this) {
            closed = true;
            all = new ArrayDeque<>(idle);
            idle.clear();
        }
        all.forEach(i -> closeQuietly(i.connection()));
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken: nothing to hand back
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("kept connections use the configured user");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no driver log
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the target's connect timeout applies
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
