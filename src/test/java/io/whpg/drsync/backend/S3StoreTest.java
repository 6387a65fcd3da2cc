package io.whpg.drsync.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.archive.CamelWalArchive;
import io.whpg.drsync.config.Backend;
import io.whpg.drsync.route.ArchiveRoutes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The s3 backend against a real S3 server (S3Proxy, in-process, filesystem store), through camel-aws2-s3 and the
 * {@code direct:archive-backend} route: listing past 1,000 keys, stat with the ETag checksum, ranges, atomic put,
 * and failures as one line naming the object and the S3 error.
 */
class S3StoreTest extends CamelTestSupport {
    static final String BUCKET = "dr-archive";
    @TempDir
    static Path dir;
    static S3ProxyServer server;
    static S3Client client;
    S3Store store;

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3ProxyServer(dir);
        server.createBucket(BUCKET);
        client = S3Store.client(server.settings(BUCKET), S3ProxyServer::env);
        // 1,005 WAL names under one prefix: more than one S3 page; a sibling prefix that must not leak in
        IntStream.range(0, 1005).parallel().forEach(i -> client.putObject(b -> b.bucket(BUCKET).key(wal(i)),
                RequestBody.fromString("wal " + i)));
        client.putObject(b -> b.bucket(BUCKET).key("wal/10/000000010000000000000001"), RequestBody.fromString("other"));
        client.putObject(b -> b.bucket(BUCKET).key("wal/1/sub/nested"), RequestBody.fromString("nested"));
    }

    static String wal(int i) {
        return "wal/1/" + String.format("%08X%08X%08X", 1, i / 256, i % 256);
    }

    @AfterAll
    static void stopServer() throws Exception {
        client.close();
        server.close();
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        context.getRegistry().bind(S3Store.CLIENT_BEAN, client);
        store = new S3Store(server.settings(BUCKET), client, () -> template, Backends.S3_PAGE);
        return new ArchiveRoutes("archive-backend", "direct:archive-backend",
                new StoreWalArchive(store, seg -> "/wal/" + seg));
    }

    @Test
    void listsEveryKeyPastOnePageThroughTheRoute() {
        Object body = template.requestBodyAndHeaders("direct:archive-backend", null,
                Map.of(CamelWalArchive.OP, "list", CamelWalArchive.SEGMENT, 1));
        Set<String> names = new TreeSet<>((Set<?>) body).stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(1005, names.size());
        assertTrue(names.contains(wal(1004).substring("wal/1/".length())), "the newest WAL, past the first 1,000 keys");
        assertTrue(names.stream().noneMatch(n -> n.contains("/") || n.equals("sub")), names.toString());
    }

    @Test
    void statGetRangeAndAtomicPut() {
        store.put("/wal/2/000000010000000000000007.partial", "first".getBytes(StandardCharsets.UTF_8));
        store.put("/wal/2/000000010000000000000007.partial", "second version".getBytes(StandardCharsets.UTF_8));
        StoredObject o = store.stat("/wal/2/000000010000000000000007.partial").orElseThrow();
        assertEquals(14, o.size());
        assertEquals(Optional.of("md5:" + Verified.md5("second version".getBytes(StandardCharsets.UTF_8))), o.checksum());
        assertArrayEquals("second version".getBytes(StandardCharsets.UTF_8), store.get(o.key()));
        assertArrayEquals("cond".getBytes(StandardCharsets.UTF_8), store.getRange(o.key(), 2, 4));
        assertArrayEquals("ion".getBytes(StandardCharsets.UTF_8), store.getRange(o.key(), 11, 100), "short at the end");
        assertArrayEquals(new byte[0], store.getRange(o.key(), 50, 10), "past the end");
        assertEquals(Optional.empty(), store.stat("/wal/2/absent"));
        Object range = template.requestBodyAndHeaders("direct:archive-backend", null, Map.of(CamelWalArchive.OP, "read_range",
                CamelWalArchive.SEGMENT, 2, CamelWalArchive.FILE, "000000010000000000000007.partial",
                CamelWalArchive.OFFSET, 0L, CamelWalArchive.LENGTH, 6));
        assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), (byte[]) range);
        store.delete(o.key());
        store.delete(o.key());
        assertEquals(Optional.empty(), store.stat(o.key()));
    }

    @Test
    void failuresNameTheObjectAndTheS3Error() {
        BackendException missing = assertThrows(BackendException.class, () -> store.get("/wal/1/000000010000000900000000"));
        assertEquals("s3://dr-archive/wal/1/000000010000000900000000: 404 NoSuchKey", missing.getMessage());
        Backend.S3 wrongKey = new Backend.S3(BUCKET, "us-east-1", server.endpoint(), true, "A", "B");
        try (S3Client bad = S3Store.client(wrongKey, n -> n.equals("A") ? "nobody" : "wrong")) {
            S3Store denied = new S3Store(wrongKey, bad, () -> template, 1000);
            BackendException e = assertThrows(BackendException.class, () -> denied.check("/wal"));
            assertEquals("s3://dr-archive/wal/: 403 InvalidAccessKeyId", e.getMessage());
        }
        S3Store noBucket = new S3Store(server.settings("no-such-bucket"), client, () -> template, 1000);
        assertEquals("s3://no-such-bucket/wal/: 404 NoSuchBucket",
                assertThrows(BackendException.class, () -> noBucket.check("/wal")).getMessage());
        Backend.S3 closed = new Backend.S3(BUCKET, "us-east-1", "http://127.0.0.1:1", true, "A", "B");
        try (S3Client refused = S3Store.client(closed, n -> "x")) {
            String m = assertThrows(BackendException.class,
                    () -> new S3Store(closed, refused, () -> template, 1000).check("/wal")).getMessage();
            assertTrue(m.startsWith("s3://dr-archive/wal/: cannot reach the S3 endpoint: "), m);
            assertTrue(!m.contains("\n"), m);
        }
        store.check("/wal");
    }

    @Test
    void missingCredentialVariableIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> S3Store.client(server.settings(BUCKET), n -> null));
        assertEquals("archive.s3.access_key_env: environment variable WHPG_S3_ACCESS is not set", e.getMessage());
    }

    @Test
    void verifiedRefusesShortAndCorruptContent() {
        StoredObject o = new StoredObject("/k", 3, Optional.of("md5:" + Verified.md5(new byte[] {1, 2, 3})));
        Verified.check("s3://b/k", new byte[] {1, 2, 3}, o);
        assertTrue(assertThrows(BackendException.class, () -> Verified.check("s3://b/k", new byte[] {1, 2}, o))
                .getMessage().startsWith("s3://b/k: fetched 2 bytes, the store lists 3"));
        assertTrue(assertThrows(BackendException.class, () -> Verified.check("s3://b/k", new byte[] {1, 2, 4}, o))
                .getMessage().contains("(corrupt object)"));
    }
}
