package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fixture itself: what the real-Greenplum suites rely on is really there. */
@ExtendWith(GreenplumCondition.class)
class GreenplumLabIT {
    static GreenplumLab lab;

    @BeforeAll
    static void up() throws Exception {
        lab = GreenplumLab.up();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theCoordinatorIsGreenplumAndListsSegmentsWhoseHostnameIsNotTheirAddress() throws Exception {
        try (Connection c = lab.connectCoordinator(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT version()")) {
                rs.next();
                assertTrue(rs.getString(1).contains("Greenplum"), rs.getString(1));
            }
            int rows = 0;
            try (ResultSet rs = s.executeQuery("SELECT content, hostname, address FROM gp_segment_configuration"
                    + " WHERE role = 'p' ORDER BY content")) {
                while (rs.next()) {
                    assertEquals(lab.contents().get(rows), rs.getInt(1));
                    assertNotEquals(rs.getString(2), rs.getString(3));
                    rows++;
                }
            }
            assertEquals(3, rows);
            // distributed: a table spread over both segments
            s.execute("CREATE TABLE fixture_probe(id int) DISTRIBUTED BY (id)");
            s.execute("INSERT INTO fixture_probe SELECT generate_series(1, 100)");
            try (ResultSet rs = s.executeQuery("SELECT count(DISTINCT gp_segment_id) FROM fixture_probe")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
        }
    }

    @Test
    void everyDrCopyIsAFreshStoppedBaseBackupWithItsHistoryFileInTheArchive() throws Exception {
        for (int content : lab.contents()) {
            Path dr = lab.drDataDir(content);
            assertTrue(Files.exists(dr.resolve("backup_label")), dr + " backup_label");
            assertTrue(Files.exists(dr.resolve("standby.signal")), dr + " standby.signal");
            assertFalse(Files.exists(dr.resolve("backup_manifest")), dr + " has a backup_manifest");
            assertFalse(Files.exists(dr.resolve("postmaster.pid")), dr + " is running");
            assertEquals("in production", lab.controlData(dr).clusterState(), dr.toString());
            try (Stream<Path> files = Files.list(lab.archiveDir(content))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".backup")), "backup history file of " + content);
            }
        }
        try (Connection c = lab.connectPrimary(0); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'")) {
            rs.next();
            assertEquals(64L << 20, rs.getLong(1));
        }
    }
}
