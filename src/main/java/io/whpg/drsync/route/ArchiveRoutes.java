package io.whpg.drsync.route;

import io.whpg.drsync.archive.CamelWalArchive;
import io.whpg.drsync.archive.LocalDirectoryArchive;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code direct:archive-local}: the default archive backend, a directory per content id readable
 * from this machine. Other backends are routes answering the same headers (see routes/).
 */
public final class ArchiveRoutes extends RouteBuilder {
    public static final String LOCAL_URI = "direct:archive-local";
    private final LocalDirectoryArchive local;

    public ArchiveRoutes(LocalDirectoryArchive local) {
        this.local = local;
    }

    @Override
    public void configure() {
        from(LOCAL_URI).routeId("archive-local")
                .choice()
                    .when(header(CamelWalArchive.OP).isEqualTo("list"))
                        .process(e -> e.getIn().setBody(local.list(e.getIn().getHeader(CamelWalArchive.SEGMENT, Integer.class))))
                        .id("list-archive-directory")
                    .when(header(CamelWalArchive.OP).isEqualTo("read_range"))
                        .process(e -> e.getIn().setBody(local.readRange(e.getIn().getHeader(CamelWalArchive.SEGMENT, Integer.class),
                                e.getIn().getHeader(CamelWalArchive.FILE, String.class),
                                e.getIn().getHeader(CamelWalArchive.OFFSET, Long.class),
                                e.getIn().getHeader(CamelWalArchive.LENGTH, Integer.class))))
                        .id("read-archive-range")
                    .otherwise()
                        .process(e -> e.getIn().setBody(local.read(e.getIn().getHeader(CamelWalArchive.SEGMENT, Integer.class),
                                e.getIn().getHeader(CamelWalArchive.FILE, String.class))))
                        .id("read-archive-file")
                .end();
    }
}
