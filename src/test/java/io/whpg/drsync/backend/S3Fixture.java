package io.whpg.drsync.backend;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server (S3Proxy) with one bucket, the tool's S3 client on it and an {@link S3Store} over a
 * started Camel context with that client bound, as the tool wires them: for tests of the store's users.
 */
public final class S3Fixture implements AutoCloseable {
    public final S3ProxyServer server;
    public final S3Client client;
    public final CamelContext camel;
    public final ProducerTemplate template;
    public final S3Store store;

    public S3Fixture(Path dir, String bucket) throws Exception {
        server = new S3ProxyServer(Files.createDirectories(dir.resolve("s3")));
        server.createBucket(bucket);
        client = S3Store.client(server.settings(bucket), S3ProxyServer::env);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(S3Store.CLIENT_BEAN, client);
        camel.start();
        template = camel.createProducerTemplate();
        store = new S3Store(server.settings(bucket), client, () -> template, Backends.S3_PAGE);
    }

    @Override
    public void close() throws Exception {
        camel.close();
        client.close();
        server.close();
    }
}
