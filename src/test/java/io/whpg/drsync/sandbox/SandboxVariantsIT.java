package io.whpg.drsync.sandbox;

import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.whpg.drsync.sandbox.SandboxIT.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The other GP7 flavour: bare SETOF record, no gp_switch_wal(), 64 MB WAL; and what down() stops. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SandboxVariantsIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(new SandboxOptions(1, 64, GpForm.SETOF_RECORD, false, 0));

    @Test
    @Order(1)
    void setofRecordFormAnswersAsTextButNotToSelectStar() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        List<String> rows = query(sandbox, -1, "SELECT (gp_create_restore_point('v1'))::text");
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.get(0).matches("\\(-1,[0-9A-F]+/[0-9A-F]+\\)"), rows.get(0));
        assertTrue(rows.get(1).matches("\\(0,[0-9A-F]+/[0-9A-F]+\\)"), rows.get(1));

        SQLException star = assertThrows(SQLException.class,
                () -> query(sandbox, -1, "SELECT * FROM gp_create_restore_point('v2')"));
        assertTrue(star.getMessage().contains("a column definition list is required"), star.getMessage());

        List<String> listed = query(sandbox, -1, "SELECT gp_segment_id || ' ' || restore_lsn"
                + " FROM gp_create_restore_point('v3') AS t(gp_segment_id smallint, restore_lsn pg_lsn)");
        assertEquals(2, listed.size());
    }

    @Test
    @Order(2)
    void switchWalIsAbsent() {
        SQLException e = assertThrows(SQLException.class, () -> query(SANDBOX.sandbox(), -1, "SELECT * FROM gp_switch_wal()"));
        assertEquals("42883", e.getSQLState(), e.getMessage());
    }

    @Test
    @Order(3)
    void walSegmentsAre64Mb() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        for (SandboxInstance p : sandbox.primaries()) {
            assertEquals("64MB", query(sandbox, p.contentId(), "SHOW wal_segment_size").get(0));
            try (Stream<Path> files = Files.list(sandbox.archiveDir(p.contentId()))) {
                List<Path> walFiles = files.filter(f -> f.getFileName().toString().matches("[0-9A-F]{24}")).toList();
                assertFalse(walFiles.isEmpty());
                for (Path f : walFiles) {
                    assertEquals(64L * 1024 * 1024, Files.size(f), f.toString());
                }
            }
        }
        assertEquals(64, ConfigLoader.load(sandbox.configFile()).behavior().walSegmentSizeMb());
    }

    /** The DR copy restores from the archive alone up to its base backup's end and opens read-only. */
    @Test
    @Order(4)
    void drCopyStartsFromTheArchiveAlone() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        SandboxInstance copy = sandbox.drCopy(0);
        startDrCopy(sandbox, copy);
        try (Connection c = connect(copy); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), (SELECT count(*) FROM dr_probe)")) {
            rs.next();
            assertTrue(rs.getBoolean(1));
            assertEquals(1, rs.getInt(2));
        }
        assertTrue(Files.readString(sandbox.drLog(0)).contains("consistent recovery state reached"));
    }

    /** down() stops the primaries and the running DR copy, every process of theirs, and can run again. */
    @Test
    @Order(5)
    void downLeavesNoProcessAndIsIdempotent() throws Exception {
        Sandbox sandbox = SANDBOX.sandbox();
        SandboxInstance copy = sandbox.drCopy(0);
        if (Postmaster.running(copy.dataDir()).isEmpty()) {
            startDrCopy(sandbox, copy);
        }
        List<ProcessHandle> processes = new ArrayList<>();
        for (SandboxStatus.InstanceStatus s : sandbox.status().instances()) {
            if (s.running()) {
                ProcessHandle postmaster = ProcessHandle.of(s.pid().orElseThrow()).orElseThrow();
                processes.add(postmaster);
                postmaster.descendants().forEach(processes::add);
            }
        }
        assertTrue(processes.size() >= 3 * 4, "3 postmasters with their children: " + processes.size());

        sandbox.down();
        for (ProcessHandle h : processes) {
            assertFalse(h.isAlive() && !Postmaster.isZombie(h.pid()), "pid " + h.pid() + " survived down()");
        }
        SandboxStatus after = sandbox.status();
        assertTrue(after.instances().stream().noneMatch(SandboxStatus.InstanceStatus::running), after.toTable());
        assertEquals("shut down", after.primaries().get(0).clusterState());
        assertEquals("shut down in recovery", after.drCopies().get(1).clusterState());

        sandbox.down();
        Sandbox.open(SANDBOX.dir()).down();
    }

    private static void startDrCopy(Sandbox sandbox, SandboxInstance copy) {
        // -l: without it the server's logger would hold this runner's stdout pipe open.
        CommandResult r = ProcessRunner.run(List.of(Sandbox.PG_BIN.resolve("pg_ctl").toString(), "start", "-w",
                "-D", copy.dataDir().toString(), "-l", SANDBOX.dir().resolve("logs/dr-" + copy.name() + ".log").toString()),
                copy.osUser(), Duration.ofSeconds(60));
        assertTrue(r.ok(), r.stdout() + r.stderr());
    }

    private static Connection connect(SandboxInstance i) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + i.port() + "/postgres?user=" + i.osUser());
    }
}
