package io.whpg.drsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DrSyncConfigFileTest {

    @Test
    void seedFormatPointingAtTheSandbox() throws Exception {
        SandboxLayout layout = SandboxLayout.of(Path.of("/tmp/sbx"));
        List<SandboxInstance> copies = List.of(
                new SandboxInstance(-1, 41000, layout.drDataDir(-1), "postgres"),
                new SandboxInstance(0, 41001, layout.drDataDir(0), "postgres"));
        JsonNode c = new ObjectMapper().readTree(DrSyncConfigFile.json(layout, "postgres", 40000, copies, 64));

        assertEquals(List.of("primary", "storage", "archive", "dr", "behavior"), fieldNames(c));
        assertEquals("127.0.0.1", c.at("/primary/host").asText());
        assertEquals(40000, c.at("/primary/port").asInt());
        assertEquals("postgres", c.at("/primary/db").asText());
        assertEquals("postgres", c.at("/primary/user").asText());
        assertTrue(c.at("/primary/utility_options").isTextual());
        assertEquals("", c.at("/primary/utility_options").asText());
        assertEquals("/tmp/sbx/dr_sync/manifests", c.at("/storage/manifest_dir").asText());
        assertEquals("/tmp/sbx/dr_sync/LATEST.json", c.at("/storage/latest_path").asText());
        assertEquals("/tmp/sbx/archive", c.at("/archive/archive_dir").asText());
        assertEquals("%c", c.at("/archive/layout").asText());
        assertEquals("/usr/lib/postgresql/15", c.at("/dr/gp_home").asText());
        assertEquals("/usr/lib/postgresql/15/bin", c.at("/dr/pg_bin").asText());
        assertEquals("/tmp/sbx/dr_sync/dr_state", c.at("/dr/state_dir").asText());
        assertEquals("/tmp/sbx/dr_sync/receipts", c.at("/dr/receipts_dir").asText());
        JsonNode second = c.at("/dr/instances/1");
        assertEquals(0, second.get("gp_segment_id").asInt());
        assertEquals("127.0.0.1", second.get("host").asText());
        assertEquals(41001, second.get("port").asInt());
        assertEquals("/tmp/sbx/dr/gpseg0", second.get("data_dir").asText());
        assertTrue(second.get("is_local").asBoolean());
        assertEquals(64, c.at("/behavior/wal_segment_size_mb").asInt());
        assertEquals(1, c.at("/behavior/consumer_reach_poll_secs").asInt());
        assertEquals(60, c.at("/behavior/consumer_wait_reach_secs").asInt());
        assertEquals(30, c.at("/behavior/publisher_wait_archive_secs").asInt());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
