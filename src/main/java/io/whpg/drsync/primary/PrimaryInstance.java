package io.whpg.drsync.primary;

/** An acting primary of the source cluster, from gp_segment_configuration (role 'p'). */
public record PrimaryInstance(int gpSegmentId, String host, int port) {

    /** Camel registry name of its utility-mode DataSource; Greenplum's own data-dir naming. */
    public String dataSourceName() {
        return "gpseg" + gpSegmentId;
    }
}
