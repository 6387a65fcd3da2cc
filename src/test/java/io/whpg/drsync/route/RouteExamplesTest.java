package io.whpg.drsync.route;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.archive.CamelWalArchive;
import io.whpg.drsync.backend.SftpHost;
import io.whpg.drsync.archive.ArchiveException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every YAML file shipped in routes/ (examples included) loads as Camel routes, and each example runs against its
 * real server: archive-ssh.yaml.example against a private OpenSSH sshd, read through the tool's own client of the
 * archive contract ({@link CamelWalArchive}).
 */
class RouteExamplesTest extends CamelTestSupport {
    static final Path ROUTES = Path.of("routes");
    @TempDir
    static Path dir;
    static SftpHost host;
    static Path archive;

    @BeforeAll
    static void start() throws Exception {
        host = new SftpHost(dir);
        archive = host.writableDir("archive");
        Path seg = Files.createDirectories(archive.resolve("0"));
        Files.writeString(seg.resolve("000000010000000000000003"), "0123456789abcdef");
        Files.writeString(seg.resolve("00000002.history"), "1\t0/3000000\tno recovery target specified\n");
        for (Path p : List.of(archive, seg, seg.resolve("000000010000000000000003"), seg.resolve("00000002.history"))) {
            p.toFile().setReadable(true, false);
        }
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = new Properties();
        p.setProperty("archive.ssh.host", "127.0.0.1");
        p.setProperty("archive.ssh.port", String.valueOf(host.server.port()));
        p.setProperty("archive.ssh.user", SftpHost.USER);
        p.setProperty("archive.ssh.key", "file:" + host.clientKey.privateKey());
        p.setProperty("archive.ssh.known-hosts", "file:" + host.knownHosts);
        p.setProperty("archive.ssh.dir", archive.toString());
        return p;
    }

    static List<Path> shipped() throws Exception {
        try (Stream<Path> s = Files.list(ROUTES)) {
            return s.filter(p -> p.getFileName().toString().matches(".*\\.yaml(\\.example)?")).sorted().toList();
        }
    }

    @Test
    void everyShippedYamlFileLoads() throws Exception {
        List<Path> files = shipped();
        assertFalse(files.isEmpty(), "routes/ ships YAML files");
        List<String> loaded = new ArrayList<>();
        for (Path f : files) {
            int before = context.getRoutes().size();
            // a .yaml.example is loaded as the .yaml it becomes once copied
            String name = f.getFileName().toString().replaceFirst("\\.example$", "");
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("file:" + name,
                    Files.readString(f, StandardCharsets.UTF_8)));
            assertTrue(context.getRoutes().size() > before, f + " defines no route");
            loaded.add(name);
        }
        assertTrue(loaded.contains("archive-ssh.yaml"), loaded.toString());
    }

    @Test
    void archiveSshExampleServesTheArchiveContractFromARealHost() throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("file:archive-ssh.yaml",
                Files.readString(ROUTES.resolve("archive-ssh.yaml.example"), StandardCharsets.UTF_8)));
        CamelWalArchive ssh = new CamelWalArchive(() -> template, "direct:archive-ssh");
        assertEquals(Set.of("000000010000000000000003", "00000002.history"), ssh.list(0));
        assertEquals("1\t0/3000000\tno recovery target specified\n", ssh.read(0, "00000002.history"));
        assertArrayEquals("456789".getBytes(StandardCharsets.UTF_8), ssh.readRange(0, "000000010000000000000003", 4, 6));
        String line = assertThrows(ArchiveException.class, () -> ssh.list(7)).getMessage();
        assertTrue(line.startsWith("ssh://127.0.0.1" + archive + "/7: exit 2: ls: cannot access"), line);
        assertFalse(line.contains("\n"), line);
    }
}
