package io.whpg.drsync.sandbox;

/** How the emulated {@code gp_create_restore_point(text)} is declared: GP7 builds differ (see FACTS). */
public enum GpForm {
    /** {@code OUT gp_segment_id smallint, OUT restore_lsn pg_lsn} (gp_pitr 1.1): {@code SELECT *} works. */
    OUT_PARAMS,
    /** Bare {@code RETURNS SETOF record} (GP 7.0.0 dev build): {@code SELECT *} needs a column definition list. */
    SETOF_RECORD
}
