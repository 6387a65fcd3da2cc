package io.whpg.drsync.primary;

/**
 * An acting primary of the source cluster, from gp_segment_configuration (role 'p'). Greenplum itself
 * connects to {@code address} (often an interface name per segment); {@code hostname} names the machine.
 */
public record PrimaryInstance(int gpSegmentId, String hostname, String address, int port) {
    /** The acting primaries, as every part of the tool reads them. */
    public static final String ACTING_PRIMARIES_SQL = "SELECT content, hostname, address, port FROM gp_segment_configuration"
            + " WHERE role = 'p' ORDER BY content";

    /** Where to connect: {@code address}, or {@code hostname} where the catalog leaves address empty. */
    public String host() {
        return address == null || address.isBlank() ? hostname : address;
    }

    /** How every message names it: {@code content 1 (10.0.1.7:6001)}. */
    public String label() {
        return "content " + gpSegmentId + " (" + host() + ":" + port + ")";
    }

    /** Camel registry name of its utility-mode DataSource; Greenplum's own data-dir naming. */
    public String dataSourceName() {
        return "gpseg" + gpSegmentId;
    }
}
