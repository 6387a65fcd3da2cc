package io.whpg.drsync.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.archive.CamelWalArchive;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.ops.ToolHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A custom backend with its own class, no rebuild: a jar in {@code <home>/lib} and a route in {@code <home>/routes}
 * using it, served by the tool's runtime as the archive endpoint.
 */
class LibJarsTest {
    @TempDir
    Path home;

    private void extensionJar() throws Exception {
        Path src = Files.createDirectories(home.resolve("src/ext"));
        Files.writeString(src.resolve("ListArchive.java"), """
                package ext;
                public class ListArchive implements org.apache.camel.Processor {
                    public void process(org.apache.camel.Exchange e) {
                        e.getIn().setBody(java.util.List.of("000000010000000000000001", "seg" + e.getIn().getHeader("WhpgSegmentId")));
                    }
                }
                """);
        Path classes = Files.createDirectories(home.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), src.resolve("ListArchive.java").toString());
        assertEquals(0, rc);
        Path jar = Files.createDirectories(home.resolve("lib")).resolve("ext-backend.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("ext/ListArchive.class"));
            out.write(Files.readAllBytes(classes.resolve("ext/ListArchive.class")));
            out.closeEntry();
        }
    }

    @Test
    void aRouteInRoutesUsesAClassFromLib() throws Exception {
        extensionJar();
        assertFalse(isLoadable("ext.ListArchive"), "not on the tool's own class path");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("archive-ext.yaml"), """
                - route:
                    id: archive-ext
                    from:
                      uri: direct:archive-ext
                      steps:
                        - bean:
                            beanType: ext.ListArchive
                            method: process
                """);
        DrSyncConfig cfg = ConfigLoader.parse("""
                {"primary": {"host": "127.0.0.1", "port": 9, "db": "postgres", "user": "whpg"},
                 "storage": {"manifest_dir": "%1$s/manifests", "latest_path": "%1$s/LATEST.json"},
                 "archive": {"archive_dir": "%1$s/archive", "list_endpoint": "direct:archive-ext"},
                 "dr": {"gp_home": "%1$s", "state_dir": "%1$s/state", "receipts_dir": "%1$s/receipts",
                        "instances": [{"gp_segment_id": -1, "host": "127.0.0.1", "port": 9, "data_dir": "%1$s/none", "is_local": true}]},
                 "behavior": {"publisher_sleep_secs": 1, "consumer_sleep_secs": 1, "consumer_reach_poll_secs": 1,
                              "consumer_wait_reach_secs": 1, "wal_segment_size_mb": 16}}
                """.formatted(home), "lib-test.json");
        String before = System.getProperty(ToolHome.PROPERTY);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        System.setProperty(ToolHome.PROPERTY, home.toString());
        try (DrSyncRuntime rt = new DrSyncRuntime(cfg, DrSyncRuntime.Role.PRIMARY, false, routes)) {
            assertFalse(rt.runOnce(Map.of()).ok(), "no primary at port 9: the cycle fails, after the endpoint was checked");
            CamelWalArchive archive = new CamelWalArchive(() -> rt.camelContext().createProducerTemplate(), "direct:archive-ext");
            assertEquals(Set.of("000000010000000000000001", "seg0"), archive.list(0));
        } finally {
            Thread.currentThread().setContextClassLoader(context);
            if (before == null) {
                System.clearProperty(ToolHome.PROPERTY);
            } else {
                System.setProperty(ToolHome.PROPERTY, before);
            }
        }
        assertTrue(LibJars.loader(home.resolve("lib"), getClass().getClassLoader()).isPresent());
        assertEquals(Optional.empty(), LibJars.loader(home.resolve("none"), getClass().getClassLoader()));
    }

    private static boolean isLoadable(String name) {
        try {
            Class.forName(name);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
