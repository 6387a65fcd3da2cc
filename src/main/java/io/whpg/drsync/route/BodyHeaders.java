package io.whpg.drsync.route;

import java.util.Map;
import org.apache.camel.Exchange;

/** In a split over maps, each map's entries become the headers its endpoint reads (jdbc parameters, DataSource name). */
final class BodyHeaders {
    /** The registry name of the DataSource a {@code jdbc:${header.WhpgDataSource}} endpoint uses. */
    static final String DATA_SOURCE = "WhpgDataSource";
    static final String SEGMENT = "WhpgSegmentId";
    private BodyHeaders() {
    }

    static void apply(Exchange e) {
        e.getIn().getHeaders().putAll(e.getIn().getBody(Map.class));
    }
}
