package io.whpg.drsync.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.config.Backend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sftp backend against a real OpenSSH sftp-server behind a private sshd. */
class SftpStoreTest {
    @TempDir
    static Path dir;
    static SftpHost host;
    static Path archive;
    static SftpStore store;

    @BeforeAll
    static void start() throws Exception {
        host = new SftpHost(dir);
        archive = host.writableDir("wal");
        Path seg = Files.createDirectories(archive.resolve("0"));
        for (int i = 0; i < 1005; i++) {
            Files.writeString(seg.resolve(String.format("%08X%08X%08X", 1, i / 256, i % 256)), "wal " + i);
        }
        Files.createDirectories(seg.resolve("subdir"));
        Files.writeString(seg.resolve(".hidden"), "x");
        store = new SftpStore(host.settings(), 5000);
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (host != null) {
            host.close();
        }
    }

    @Test
    void listsEveryRegularFile() {
        List<StoredObject> all = store.list(archive.resolve("0").toString());
        assertEquals(1005, all.size());
        assertTrue(all.stream().anyMatch(o -> o.name().equals("0000000100000003000000EC") && o.size() == 8), all.get(0).toString());
        assertEquals(List.of(), store.list(archive.resolve("absent").toString()));
    }

    @Test
    void putIsAtomicAndReadable() throws Exception {
        String key = archive.resolve("manifests/sync_point_1.json").toString();
        store.put(key, "first".getBytes(StandardCharsets.UTF_8));
        store.put(key, "second version".getBytes(StandardCharsets.UTF_8));
        assertEquals("second version", Files.readString(Path.of(key)));
        try (Stream<Path> s = Files.list(Path.of(key).getParent())) {
            assertEquals(List.of("sync_point_1.json"), s.map(p -> p.getFileName().toString()).toList(), "no temp file left");
        }
        assertEquals(Optional.of(new StoredObject(key, 14, Optional.empty())), store.stat(key));
        assertArrayEquals("cond".getBytes(StandardCharsets.UTF_8), store.getRange(key, 2, 4));
        assertArrayEquals("ion".getBytes(StandardCharsets.UTF_8), store.getRange(key, 11, 100));
        store.delete(key);
        store.delete(key);
        assertEquals(Optional.empty(), store.stat(key));
    }

    @Test
    void failuresNameTheObjectAndTheCause() throws Exception {
        String missing = archive.resolve("0/000000010000000900000000").toString();
        assertEquals(store.name(missing) + ": no such file",
                assertThrows(BackendException.class, () -> store.get(missing)).getMessage());
        assertEquals(store.name(archive.resolve("none").toString()) + ": no such file",
                assertThrows(BackendException.class, () -> store.check(archive.resolve("none").toString())).getMessage());
        Path emptyKnownHosts = Files.writeString(dir.resolve("empty_known_hosts"), "");
        Backend.Sftp s = host.settings();
        try (SftpStore stranger = new SftpStore(new Backend.Sftp(s.host(), s.port(), s.user(), s.identity(), emptyKnownHosts), 5000)) {
            String m = assertThrows(BackendException.class, () -> stranger.check(archive.toString())).getMessage();
            assertTrue(m.startsWith(stranger.name(archive.toString()) + ": host key not in known_hosts"), m);
        }
        try (SftpStore wrongUser = new SftpStore(new Backend.Sftp(s.host(), s.port(), "root", s.identity(), s.knownHosts()), 5000)) {
            assertEquals(wrongUser.name(archive.toString()) + ": authentication failed (key refused)",
                    assertThrows(BackendException.class, () -> wrongUser.check(archive.toString())).getMessage());
        }
        store.check(archive.toString());
    }
}
