package io.whpg.drsync.backend;

import io.whpg.drsync.config.Backend;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server for tests: S3Proxy in this JVM on a free loopback port, its objects in files under {@code dir}
 * (jclouds' filesystem blob store), with AWS v2/v4 signatures checked against one access key.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "whpg-test-access";
    public static final String SECRET_KEY = "whpg-test-secret";
    private final S3Proxy proxy;
    private final BlobStoreContext context;

    public S3ProxyServer(Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem").overrides(p).credentials("identity", "credential")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(20);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    public void createBucket(String bucket) {
        context.getBlobStore().createContainerInLocation(null, bucket);
    }

    /** The config section of this server's bucket, credentials from the two named environment variables. */
    public Backend.S3 settings(String bucket) {
        return new Backend.S3(bucket, "us-east-1", endpoint(), true, "WHPG_S3_ACCESS", "WHPG_S3_SECRET");
    }

    /** The environment those variables come from. */
    public static String env(String name) {
        return switch (name) {
            case "WHPG_S3_ACCESS" -> ACCESS_KEY;
            case "WHPG_S3_SECRET" -> SECRET_KEY;
            default -> null;
        };
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
