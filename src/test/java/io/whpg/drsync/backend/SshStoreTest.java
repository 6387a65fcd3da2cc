package io.whpg.drsync.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ssh backend (shell commands over the tool's SSH client) against a real OpenSSH sshd. */
class SshStoreTest {
    @TempDir
    static Path dir;
    static SftpHost host;
    static Path archive;
    static SshStore store;

    @BeforeAll
    static void start() throws Exception {
        host = new SftpHost(dir);
        archive = host.writableDir("wal");
        Path seg = Files.createDirectories(archive.resolve("0"));
        byte[] binary = new byte[70_000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        Files.write(seg.resolve("000000010000000000000001"), binary);
        Files.writeString(seg.resolve("00000002.history"), "1\t0/3000000\treason\n");
        Files.writeString(seg.resolve(".hidden"), "x");
        Files.createDirectories(seg.resolve("subdir"));
        for (Path p : List.of(archive, seg, seg.resolve("000000010000000000000001"), seg.resolve("00000002.history"))) {
            p.toFile().setReadable(true, false);
        }
        store = new SshStore(host.settings(), Duration.ofSeconds(5), Duration.ofSeconds(30));
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
    void listsStatsAndReadsBinaryExactly() throws Exception {
        String seg = archive.resolve("0").toString();
        List<StoredObject> all = store.list(seg).stream().sorted((a, b) -> a.key().compareTo(b.key())).toList();
        assertEquals(List.of(new StoredObject(seg + "/000000010000000000000001", 70_000, Optional.empty()),
                new StoredObject(seg + "/00000002.history", 19, Optional.empty())), all);
        assertEquals(List.of(), store.list(archive.resolve("absent").toString()));
        byte[] file = Files.readAllBytes(archive.resolve("0/000000010000000000000001"));
        assertArrayEquals(file, store.get(seg + "/000000010000000000000001"));
        assertArrayEquals(java.util.Arrays.copyOfRange(file, 65_530, 65_600), store.getRange(seg + "/000000010000000000000001", 65_530, 70));
        assertArrayEquals(java.util.Arrays.copyOfRange(file, 69_990, 70_000), store.getRange(seg + "/000000010000000000000001", 69_990, 100));
        assertEquals(Optional.empty(), store.stat(seg + "/absent"));
    }

    @Test
    void putIsAtomicAndFailuresAreOneLine() throws Exception {
        String key = archive.resolve("manifests/sync_point_1.json").toString();
        store.put(key, "first".getBytes(StandardCharsets.UTF_8));
        store.put(key, "second version".getBytes(StandardCharsets.UTF_8));
        assertEquals("second version", Files.readString(Path.of(key)));
        try (Stream<Path> s = Files.list(Path.of(key).getParent())) {
            assertEquals(List.of("sync_point_1.json"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(Optional.of(new StoredObject(key, 14, Optional.empty())), store.stat(key));
        store.delete(key);
        assertEquals(Optional.empty(), store.stat(key));
        String missing = archive.resolve("0/000000010000000900000000").toString();
        String m = assertThrows(BackendException.class, () -> store.get(missing)).getMessage();
        assertTrue(m.startsWith(store.name(missing) + ": ") && m.contains("No such file"), m);
        assertEquals(store.name(archive.resolve("none").toString()) + ": no such directory",
                assertThrows(BackendException.class, () -> store.check(archive.resolve("none").toString())).getMessage());
        store.check(archive.toString());
    }
}
