package io.whpg.drsync.route;

import io.whpg.drsync.archive.CamelWalArchive;
import io.whpg.drsync.archive.WalArchive;
import org.apache.camel.builder.RouteBuilder;

/**
 * An archive backend as a route answering {@link CamelWalArchive}'s headers: {@code direct:archive-local}, the default
 * (a directory per content id readable from this machine), or {@code direct:archive-backend} for the built-in s3 and
 * sftp backends. Other backends are routes answering the same headers (see routes/).
 */
public final class ArchiveRoutes extends RouteBuilder {
    public static final String LOCAL_URI = "direct:archive-local";
    private final String routeId;
    private final String uri;
    private final WalArchive archive;

    public ArchiveRoutes(String routeId, String uri, WalArchive archive) {
        this.routeId = routeId;
        this.uri = uri;
        this.archive = archive;
    }

    @Override
    public void configure() {
        String p = LOCAL_URI.equals(uri) ? "" : routeId + "-"; // node ids are unique across routes
        from(uri).routeId(routeId)
                .choice()
                    .when(header(CamelWalArchive.OP).isEqualTo("list"))
                        .process(e -> e.getIn().setBody(archive.list(e.getIn().getHeader(CamelWalArchive.SEGMENT, Integer.class))))
                        .id(p + "list-archive-directory")
                    .when(header(CamelWalArchive.OP).isEqualTo("read_range"))
                        .process(e -> e.getIn().setBody(archive.readRange(e.getIn().getHeader(CamelWalArchive.SEGMENT, Integer.class),
                                e.getIn().getHeader(CamelWalArchive.FILE, String.class),
                                e.getIn().getHeader(CamelWalArchive.OFFSET, Long.class),
                                e.getIn().getHeader(CamelWalArchive.LENGTH, Integer.class))))
                        .id(p + "read-archive-range")
                    .otherwise()
                        .process(e -> e.getIn().setBody(archive.read(e.getIn().getHeader(CamelWalArchive.SEGMENT, Integer.class),
                                e.getIn().getHeader(CamelWalArchive.FILE, String.class))))
                        .id(p + "read-archive-file")
                .end();
    }
}
