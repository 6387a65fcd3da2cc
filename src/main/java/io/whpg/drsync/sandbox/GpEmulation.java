package io.whpg.drsync.sandbox;

import java.util.ArrayList;
import java.util.List;

/**
 * SQL that makes the coordinator of plain PostgreSQL instances answer like a Greenplum 7 coordinator
 * for this tool: {@code gp_segment_configuration}, {@code gp_create_restore_point(text)} and
 * {@code gp_switch_wal()}, reaching the segments through dblink. Unlike GP7 there is no distributed
 * commit barrier, so the restore points are not a consistent cut under concurrent writes.
 */
final class GpEmulation {
    private GpEmulation() {
    }

    /** Statements to run on the coordinator, in order. */
    static List<String> coordinatorSql(List<SandboxInstance> primaries, GpForm form, boolean gpSwitchWal) {
        StringBuilder rows = new StringBuilder();
        int dbid = 1;
        for (SandboxInstance p : primaries) {
            rows.append(rows.length() == 0 ? "" : ",\n  ")
                    .append(String.format("(%d, %d, 'p', 'p', 'n', 'u', %d, 'sandbox-host', '127.0.0.1', '%s')",
                            dbid++, p.contentId(), p.port(), p.dataDir()));
        }
        List<String> sql = new ArrayList<>(List.of(
                "CREATE EXTENSION IF NOT EXISTS dblink",
                """
                CREATE TABLE gp_segment_configuration (
                  dbid smallint PRIMARY KEY, content smallint NOT NULL, role "char" NOT NULL,
                  preferred_role "char" NOT NULL, mode "char" NOT NULL, status "char" NOT NULL,
                  port integer NOT NULL, hostname text NOT NULL, address text NOT NULL, datadir text NOT NULL)""",
                "INSERT INTO gp_segment_configuration VALUES\n  " + rows,
                "CREATE SCHEMA whpg_sandbox",
                """
                CREATE FUNCTION whpg_sandbox.segment_conninfo(seg gp_segment_configuration) RETURNS text
                LANGUAGE sql STABLE AS $$
                  SELECT format('host=%s port=%s dbname=postgres user=%s', seg.address, seg.port, current_user)
                $$""",
                // Coordinator first, then each acting primary segment in content order, like GP7.
                """
                CREATE FUNCTION whpg_sandbox.create_restore_points(rp_name text,
                    OUT gp_segment_id smallint, OUT restore_lsn pg_lsn) RETURNS SETOF record
                LANGUAGE plpgsql AS $$
                DECLARE
                  seg gp_segment_configuration;
                BEGIN
                  gp_segment_id := -1;
                  restore_lsn := pg_catalog.pg_create_restore_point(rp_name);
                  RETURN NEXT;
                  FOR seg IN SELECT * FROM gp_segment_configuration WHERE content >= 0 AND role = 'p' ORDER BY content LOOP
                    gp_segment_id := seg.content;
                    SELECT r.lsn INTO STRICT restore_lsn
                      FROM dblink(whpg_sandbox.segment_conninfo(seg),
                                  format('SELECT pg_create_restore_point(%L)', rp_name)) AS r(lsn pg_lsn);
                    RETURN NEXT;
                  END LOOP;
                END $$""",
                // A SQL function, because a PL/pgSQL one returning bare record cannot be called in a select list.
                (form == GpForm.OUT_PARAMS
                        ? """
                          CREATE FUNCTION gp_create_restore_point(rp_name text,
                              OUT gp_segment_id smallint, OUT restore_lsn pg_lsn) RETURNS SETOF record
                          """
                        : """
                          CREATE FUNCTION gp_create_restore_point(rp_name text) RETURNS SETOF record
                          """)
                        + "LANGUAGE sql AS $$ SELECT * FROM whpg_sandbox.create_restore_points(rp_name) $$",
                "REVOKE EXECUTE ON FUNCTION gp_create_restore_point(text) FROM PUBLIC"));
        if (gpSwitchWal) {
            sql.add("""
                    CREATE FUNCTION gp_switch_wal(OUT gp_segment_id smallint, OUT pg_switch_wal pg_lsn,
                        OUT pg_walfile_name text) RETURNS SETOF record
                    LANGUAGE plpgsql AS $$
                    DECLARE
                      seg gp_segment_configuration;
                    BEGIN
                      gp_segment_id := -1;
                      pg_switch_wal := pg_catalog.pg_switch_wal();
                      pg_walfile_name := pg_catalog.pg_walfile_name(pg_switch_wal);
                      RETURN NEXT;
                      FOR seg IN SELECT * FROM gp_segment_configuration WHERE content >= 0 AND role = 'p' ORDER BY content LOOP
                        gp_segment_id := seg.content;
                        SELECT r.lsn, r.walfile INTO STRICT pg_switch_wal, pg_walfile_name
                          FROM dblink(whpg_sandbox.segment_conninfo(seg),
                                      'SELECT l, pg_walfile_name(l) FROM pg_switch_wal() AS l') AS r(lsn pg_lsn, walfile text);
                        RETURN NEXT;
                      END LOOP;
                    END $$""");
            sql.add("REVOKE EXECUTE ON FUNCTION gp_switch_wal() FROM PUBLIC");
        }
        return sql;
    }

    /** Tables every primary instance gets: the probe the tests write to, and a little bulk data. */
    static List<String> instanceSql(int contentId) {
        return List.of(
                "CREATE TABLE dr_probe (id bigserial PRIMARY KEY, note text, created_at timestamptz DEFAULT now())",
                "INSERT INTO dr_probe (note) VALUES ('created by sandbox up on content " + contentId + "')",
                "CREATE TABLE dr_bulk AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 20000) AS g");
    }
}
