package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.pg.BackupHistory;
import io.whpg.drsync.pg.BackupLabel;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.SegmentPoint;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The DR cycle on real Greenplum 7 (PostgreSQL 12 based: no backup_manifest, 64 MB WAL segments, two-phase
 * distributed commits): fresh pg_basebackup copies are taken on the first {@code dr run --once} with no
 * manual step (one of them after a start by hand that stopped before its backup's end), then three rounds of publish and consume, the data at each point read back from every DR
 * instance (coordinator and both segments) and compared with what the primary held at the point.
 */
@ExtendWith(GreenplumCondition.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealGreenplumIT {
    private static final int ROUNDS = 3;
    /** The copy that, before the first run, was started by hand and stopped before its backup's end. */
    private static final int STOPPED_BEFORE_END = 1;
    private static GreenplumLab lab;
    private static Path config;
    private static DrSyncConfig cfg;
    /** The restore point of each round. */
    private static final List<String> points = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        lab = GreenplumLab.up();
        config = lab.config();
        cfg = ConfigLoader.load(config);
        try (Connection c = lab.connectCoordinator(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE dr_rows(id int, round int, phase text) DISTRIBUTED BY (id)");
        }
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    private static List<Path> drDataDirs() {
        return lab.contents().stream().map(lab::drDataDir).toList();
    }

    private static String historyFileName(int content) throws Exception {
        BackupLabel label = BackupLabel.parse(Files.readString(lab.drDataDir(content).resolve("backup_label")));
        return BackupHistory.fileName(label.startWal(), label.startTimeline(), lab.controlData(lab.drDataDir(content)).walSegmentSize());
    }

    @Test
    @Order(1)
    void drStatusShowsEachFreshCopyWithTheFileItsEndWillBeReadFrom() throws Exception {
        ItSupport.Run status = ItSupport.cli("dr", "status", "--format", "json", "--config", config.toString());
        assertEquals(0, status.exitCode(), status.output());
        JsonNode doc = Json.MAPPER.readTree(status.out());
        assertEquals(lab.contents().size(), doc.path("instances").size(), status.out());
        for (JsonNode i : doc.path("instances")) {
            int content = i.path("gp_segment_id").asInt();
            assertEquals(ControlData.IN_PRODUCTION, i.path("state").asText(), i.toString());
            assertTrue(i.path("note").asText().contains("fresh base backup") && i.path("note").asText()
                    .contains("backup history file " + historyFileName(content) + " in the archive, read by dr run"), i.toString());
        }
    }

    @Test
    @Order(2)
    void aFreshCopyWhoseBackupHistoryFileIsMissingIsRefusedNamingItAndNothingIsTouched() throws Exception {
        String name = historyFileName(0);
        Path archived = lab.archiveDir(0).resolve(name);
        assertTrue(Files.exists(archived), "the lab archived " + archived);
        Path aside = archived.resolveSibling("aside-" + name);
        Files.move(archived, aside);
        try {
            Snapshot before = Snapshot.of(cfg, drDataDirs());
            ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
            assertEquals(1, dr.exitCode(), dr.output());
            String out = dr.output();
            assertTrue(out.contains("instance_not_parked"), out);
            assertTrue(out.contains("instance 0 (host 127.0.0.1, data dir " + lab.drDataDir(0) + "): fresh base backup"), out);
            assertTrue(out.contains("its backup history file " + name + " is missing from the WAL archive"), out);
            assertFalse(out.contains("Exception") || out.contains("Multicast") || out.contains("\tat "), out);
            List<String> changed = before.changesUntil(Snapshot.of(cfg, drDataDirs())).stream()
                    .filter(c -> !c.startsWith("created " + cfg.dr().receiptsDir()) && !c.equals("created " + cfg.dr().stateDir()))
                    .toList();
            assertEquals(List.of(), changed, "a refused cycle changes nothing but its receipt (and makes its own dirs)");
        } finally {
            Files.move(aside, archived);
        }
    }

    @Test
    @Order(3)
    void freshCopiesThenThreeRoundsParkEveryInstanceWithThePrimarysDataAtEachPoint() throws Exception {
        for (int content : lab.contents()) {
            assertTrue(Files.exists(lab.drDataDir(content).resolve("backup_label")), "fresh copy " + content);
            assertEquals(ControlData.IN_PRODUCTION, lab.controlData(lab.drDataDir(content)).clusterState());
        }
        String stopped = stopBeforeItsBackupsEnd(STOPPED_BEFORE_END);
        for (int round = 1; round <= ROUNDS; round++) {
            write(round, "before");
            Map<Integer, Long> atPoint = rowsPerContent();
            ItSupport.Run published = ItSupport.publish(config);
            assertEquals(0, published.exitCode(), published.output());
            String point = ItSupport.latestReady(cfg);
            points.add(point);
            write(round, "after");

            ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
            assertEquals(0, dr.exitCode(), dr.output());
            assertEquals(point, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
            JsonNode receipt = Json.MAPPER.readTree(cfg.dr().receiptsDir().resolve(point + ".receipt.json").toFile());
            assertEquals("reached_then_shutdown", receipt.path("status").asText());
            if (round == 1) {
                for (JsonNode i : receipt.path("instances")) {
                    String expected = i.path("gp_segment_id").asInt() == STOPPED_BEFORE_END ? stopped
                            : "base backup ending at [0-9A-F]+/[0-9A-F]+";
                    assertTrue(i.path("floor_source").asText().matches(expected + " \\(STOP WAL LOCATION of [0-9A-F]{24}\\."
                            + "[0-9A-F]{8}\\.backup\\)"), i.toString());
                }
            }

            Manifest m = Evidence.manifests(cfg).read(point);
            for (SegmentPoint s : m.segments()) {
                int content = s.gpSegmentId();
                Path dir = lab.drDataDir(content);
                ControlData cd = lab.controlData(dir);
                assertTrue(cd.isShutDownInRecovery(), "instance " + content + ": " + cd.clusterState());
                assertEquals(s.restoreLsn(), cd.minRecoveryEnd(), "instance " + content);
                assertFalse(Files.exists(dir.resolve("backup_label")), "instance " + content + " still has backup_label");
                assertFalse(Files.exists(dir.resolve("postmaster.pid")), "instance " + content + " left running");

                Seen seen = GreenplumPointReader.atPoint(lab, content, s.restoreLsn(), RealGreenplumIT::seen);
                assertEquals(atPoint.getOrDefault(content, 0L), seen.rows(), "rows of instance " + content + " at " + point);
                assertEquals(expectedMarks(round), seen.marks(), "tables of instance " + content + " at " + point);
            }
            assertTrue(atPoint.size() == 2 && atPoint.values().stream().allMatch(n -> n > 0), "both segments hold rows: " + atPoint);
        }
        ItSupport.Run again = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(again.output().contains("nothing to do"), again.output());
    }

    @Test
    @Order(4)
    void drStatusShowsTheCurrentPointAndEveryInstanceParkedAtIt() throws Exception {
        String point = points.get(points.size() - 1);
        ItSupport.Run status = ItSupport.cli("dr", "status", "--format", "json", "--config", config.toString());
        assertEquals(0, status.exitCode(), status.output());
        JsonNode doc = Json.MAPPER.readTree(status.out());
        assertEquals(point, doc.path("current_restore_point").asText());
        Manifest m = Evidence.manifests(cfg).read(point);
        Set<Integer> seen = new TreeSet<>();
        for (JsonNode i : doc.path("instances")) {
            int content = i.path("gp_segment_id").asInt();
            seen.add(content);
            assertEquals(ControlData.SHUT_DOWN_IN_RECOVERY, i.path("state").asText(), i.toString());
            assertEquals(m.segment(content).orElseThrow().restoreLsn().toString(), i.path("floor").asText(), i.toString());
        }
        assertEquals(new TreeSet<>(lab.contents()), seen);
        ItSupport.Run table = ItSupport.cli("dr", "status", "--config", config.toString());
        assertTrue(table.out().contains("current restore point : " + point), table.out());
    }

    /**
     * Issue 14 item 5 on real Greenplum: the lab's config names no key, yet every manifest was signed (the pair was
     * created beside the config on the first publish) and verified. A forged manifest (segment 0 moved back to the
     * previous point, digest recomputed) is refused as manifest_signature_invalid with nothing but its receipt changed.
     */
    @Test
    @Order(5)
    void aForgedManifestIsRefusedOnRealGreenplumThoughTheLabConfigNamesNoKey() throws Exception {
        JsonNode storage = Json.MAPPER.readTree(config.toFile()).path("storage");
        assertFalse(storage.has("signing_key") || storage.has("verify_key") || storage.has("allow_unsigned"), storage.toString());
        assertTrue(Files.isRegularFile(config.resolveSibling("dr_sync_keys/publisher.ed25519.pub")));
        String current = points.get(points.size() - 1);
        io.whpg.drsync.pg.Lsn earlier = Evidence.manifests(cfg).read(current).segment(0).orElseThrow().restoreLsn();
        write(ROUNDS + 1, "forged");
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        String point = ItSupport.latestReady(cfg);
        Path file = cfg.storage().manifestDir().resolve(point + ".json");
        String original = Files.readString(file);
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(original);
        for (JsonNode seg : root.path("segments")) {
            if (seg.path("gp_segment_id").asInt() == 0) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) seg).put("restore_lsn", earlier.toString())
                        .put("wal_file", io.whpg.drsync.pg.WalFile.containing(earlier, seg.path("timeline").asInt(),
                                root.path("wal_segment_size").asLong()).name());
            }
        }
        io.whpg.drsync.state.AtomicFiles.write(file, io.whpg.drsync.state.ManifestSamples.resign(root));
        try {
            Snapshot before = Snapshot.of(cfg, drDataDirs());
            ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
            assertEquals(1, dr.exitCode(), dr.output());
            assertTrue(dr.out().startsWith("FAILED manifest_signature_invalid: " + file + ": signature: does not verify with "
                    + "the public key " + config.resolveSibling("dr_sync_keys/publisher.ed25519.pub")), dr.output());
            List<String> changed = before.changesUntil(Snapshot.of(cfg, drDataDirs())).stream()
                    .filter(c -> !c.startsWith("created " + cfg.dr().receiptsDir())).toList();
            assertEquals(List.of(), changed, "a refused forgery changes nothing but its receipt");
            assertEquals(current, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
        } finally {
            io.whpg.drsync.state.AtomicFiles.write(file, original);
        }
        ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(0, dr.exitCode(), dr.output());
        assertEquals(point, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
    }

    /**
     * Starts a fresh copy by hand towards its own backup's start: it FATALs ("requested recovery stop point is before
     * consistent recovery point") and is left "in archive recovery" with backup_label renamed and pg_control's backup
     * start set. Returns the floor source expected for it.
     */
    private static String stopBeforeItsBackupsEnd(int content) throws Exception {
        Path dir = lab.drDataDir(content);
        BackupLabel label = BackupLabel.parse(Files.readString(dir.resolve("backup_label")));
        try {
            lab.run("pg_ctl", "start", "-w", "-t", "60", "-D", dir.toString(), "-l", dir.resolve("by-hand.log").toString(),
                    "-o", "-c port=" + ItSupport.freePort() + " -c gp_role=utility -c recovery_target_lsn=" + label.startWal()
                            + " -c recovery_target_inclusive=off -c recovery_target_action=shutdown");
        } catch (IllegalStateException expected) {
            // pg_ctl: could not start server (the FATAL)
        }
        for (int i = 0; i < 100 && Files.exists(dir.resolve("postmaster.pid")); i++) {
            Thread.sleep(100);
        }
        ControlData cd = lab.controlData(dir);
        assertEquals("in archive recovery", cd.clusterState(), Files.readString(dir.resolve("by-hand.log")));
        assertEquals(label.startWal(), cd.backupStart());
        assertFalse(Files.exists(dir.resolve("backup_label")));
        return "pg_controldata: in archive recovery before its base backup's end [0-9A-F]+/[0-9A-F]+";
    }

    /** Rows on both segments and a table on every instance (DDL is two-phase, like the rows' commit). */
    private static void write(int round, String phase) throws Exception {
        try (Connection c = lab.connectCoordinator(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE mark_" + phase + "_" + round + "(id int) DISTRIBUTED BY (id)");
            s.executeUpdate("INSERT INTO dr_rows SELECT g, " + round + ", '" + phase + "' FROM generate_series(1, "
                    + (100 * round + ("before".equals(phase) ? 7 : 3)) + ") g");
        }
    }

    private static Map<Integer, Long> rowsPerContent() throws Exception {
        Map<Integer, Long> rows = new TreeMap<>();
        try (Connection c = lab.connectCoordinator(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT gp_segment_id, count(*) FROM dr_rows GROUP BY 1")) {
            while (rs.next()) {
                rows.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return rows;
    }

    private static Set<String> expectedMarks(int round) {
        Set<String> marks = new TreeSet<>();
        for (int r = 1; r <= round; r++) {
            marks.add("mark_before_" + r);
            if (r < round) {
                marks.add("mark_after_" + r);
            }
        }
        return marks;
    }

    /** What one instance holds: its own rows of dr_rows (none on the coordinator) and the mark tables. */
    record Seen(long rows, Set<String> marks) {
    }

    private static Seen seen(Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement()) {
            long rows;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM dr_rows")) {
                rs.next();
                rows = rs.getLong(1);
            }
            Set<String> marks = new TreeSet<>();
            try (ResultSet rs = s.executeQuery("SELECT relname FROM pg_class WHERE relname LIKE 'mark\\_%'")) {
                while (rs.next()) {
                    marks.add(rs.getString(1));
                }
            }
            return new Seen(rows, marks);
        }
    }
}
