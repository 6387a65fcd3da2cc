package io.whpg.drsync.ops.doctor;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.primary.PrimaryInstance;
import io.whpg.drsync.route.PublishSteps;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The publisher's side: the coordinator, the GP functions the tool calls, each instance in utility mode and its archiver. */
final class PrimaryChecks {
    private PrimaryChecks() {
    }

    static void run(DrSyncConfig cfg, List<Check> out) {
        String where = cfg.primary().user() + "@" + cfg.primary().host() + ":" + cfg.primary().port() + "/" + cfg.primary().db();
        List<PrimaryInstance> segments = new ArrayList<>();
        try (Connection c = PublishSteps.dataSource(cfg.primary(), cfg.primary().host(), cfg.primary().port(), false).getConnection();
             Statement s = c.createStatement()) {
            out.add(Check.pass("primary reachable", where));
            Set<String> functions = new HashSet<>();
            try (ResultSet rs = s.executeQuery("SELECT DISTINCT proname FROM pg_proc WHERE proname IN"
                    + " ('gp_create_restore_point', 'gp_switch_wal', 'pg_switch_wal')")) {
                while (rs.next()) {
                    functions.add(rs.getString(1));
                }
            }
            out.add(functions.contains("gp_create_restore_point")
                    ? Check.pass("gp_create_restore_point", "present")
                    : Check.fail("gp_create_restore_point", "missing on " + where,
                            "connect to a Greenplum 7 / WarehousePG coordinator (primary.host, primary.port)"));
            out.add(functions.contains("gp_switch_wal") ? Check.pass("WAL switch", "gp_switch_wal()")
                    : functions.contains("pg_switch_wal") ? Check.pass("WAL switch", "pg_switch_wal() on each instance (no gp_switch_wal)")
                    : Check.fail("WAL switch", "neither gp_switch_wal() nor pg_switch_wal()", "use a Greenplum 7 build"));
            try (ResultSet rs = s.executeQuery(PrimaryInstance.ACTING_PRIMARIES_SQL)) {
                while (rs.next()) {
                    segments.add(new PrimaryInstance(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getInt(4)));
                }
            }
            out.add(segments.isEmpty() ? Check.fail("gp_segment_configuration", "no acting primary", "check the cluster with gpstate")
                    : Check.pass("gp_segment_configuration", segments.size() + " acting primaries"));
        } catch (SQLException e) {
            out.add(Check.fail("primary reachable", where + ": " + oneLine(e), "check primary.host, primary.port, primary.user,"
                    + " primary.db, pg_hba.conf, and the password (primary.password_env or ~/.pgpass)"));
            return;
        }
        for (PrimaryInstance seg : segments) {
            instance(cfg, seg, out);
        }
    }

    private static void instance(DrSyncConfig cfg, PrimaryInstance seg, List<Check> out) {
        String name = "seg " + seg.gpSegmentId();
        String where = seg.host() + ":" + seg.port();
        try (Connection c = PublishSteps.dataSource(cfg.primary(), seg.host(), seg.port(), true).getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('archive_mode') AS mode, current_setting('archive_command') AS command,"
                     + " failed_count, last_failed_wal, (last_failed_time > coalesce(last_archived_time, '-infinity')) AS failing"
                     + " FROM pg_stat_archiver")) {
            out.add(Check.pass("utility mode " + name, where));
            rs.next();
            String mode = rs.getString("mode");
            String command = rs.getString("command");
            boolean on = ("on".equals(mode) || "always".equals(mode)) && !command.isBlank() && !"(disabled)".equals(command);
            out.add(on ? Check.pass("archiving " + name, "archive_mode = " + mode)
                    : Check.fail("archiving " + name, "archive_mode = " + mode + ", archive_command = '" + command + "'",
                            "set archive_mode = on and an archive_command writing to archive.archive_dir, then restart the instance"));
            boolean failing = rs.getBoolean("failing");
            out.add(!failing ? Check.pass("archiver " + name, rs.getLong("failed_count") + " failures, none since the last success")
                    : Check.fail("archiver " + name, "archive_command failing, last on " + rs.getString("last_failed_wal"),
                            "see the instance's server log for the archive_command error (archive dir full, missing, or not writable)"));
        } catch (SQLException e) {
            out.add(Check.fail("utility mode " + name, where + ": " + oneLine(e),
                    "the tool connects to each instance with primary.utility_options (\"" + cfg.primary().utilityOptions()
                            + "\"): allow it in that instance's pg_hba.conf"));
        }
    }

    static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.lines().findFirst().orElse(m);
    }
}
