package io.whpg.drsync.it;

import io.whpg.drsync.dr.HostScripts;
import io.whpg.drsync.pg.Lsn;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Reads what a parked Greenplum DR instance holds at its point, without touching it: a throwaway copy of its
 * data dir replays to the same LSN (target inclusive off, as the tool's) and is promoted there, alone, in
 * utility mode ({@code gp_role=utility}) on a free port; the query runs on it; the copy is stopped and removed.
 */
final class GreenplumPointReader {
    private static final long DEADLINE_MILLIS = 120_000;

    @FunctionalInterface
    interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    private GreenplumPointReader() {
    }

    static <T> T atPoint(GreenplumLab lab, int content, Lsn lsn, Query<T> query) throws Exception {
        Path dr = lab.drDataDir(content);
        Path copy = dr.resolveSibling(dr.getFileName() + ".at-point");
        ItSupport.runAs(lab.user(), "rm", "-rf", copy.toString());
        ItSupport.runAs(lab.user(), "cp", "-a", dr.toString(), copy.toString());
        ItSupport.runAs(lab.user(), "sh", "-c", "printf '%s\\n' \"$2\" 'recovery_target_inclusive = off' "
                + "\"recovery_target_action = 'promote'\" > \"$1\"", "sh", copy.resolve(HostScripts.RECOVERY_CONF).toString(),
                "recovery_target_lsn = '" + lsn + "'");
        int port = ItSupport.freePort();
        try {
            lab.run("pg_ctl", "start", "-w", "-t", "120", "-D", copy.toString(), "-l", copy.resolve("at-point.log").toString(),
                    "-o", "-c port=" + port + " -c archive_mode=off -c logging_collector=off -c gp_role=utility");
            try (Connection c = promoted(lab, port, dr, lsn)) {
                return query.run(c);
            }
        } finally {
            try {
                lab.run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", copy.toString());
            } catch (IllegalStateException alreadyStopped) {
                // it never started: nothing to stop
            }
            ItSupport.runAs(lab.user(), "rm", "-rf", copy.toString());
        }
    }

    /** A connection once the copy has left recovery at the target; until then it refuses connections or is in recovery. */
    private static Connection promoted(GreenplumLab lab, int port, Path dr, Lsn lsn) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        String last = "not tried";
        while (System.currentTimeMillis() < deadline) {
            try {
                Connection c = lab.connectUtility(port);
                if (!inRecovery(c)) {
                    return c;
                }
                c.close();
                last = "still in recovery";
            } catch (SQLException e) {
                last = e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("copy of " + dr + " never opened at " + lsn + ": " + last);
    }

    private static boolean inRecovery(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
