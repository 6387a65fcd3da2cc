package io.whpg.drsync.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/** SQL on the sandbox's running primaries while it is built: the Greenplum emulation and the archive's first files. */
final class PrimarySetup {
    private static final Duration ARCHIVE_WAIT = Duration.ofSeconds(60);

    interface Connector {
        Connection connect(int contentId) throws SQLException;
    }

    private final Connector connector;
    private final SandboxLayout layout;

    PrimarySetup(Connector connector, SandboxLayout layout) {
        this.connector = connector;
        this.layout = layout;
    }

    /** The coordinator's GP emulation and every instance's probe table. */
    void loadSchema(List<SandboxInstance> primaries, SandboxOptions options) throws IOException {
        try {
            try (Connection c = connector.connect(-1); Statement st = c.createStatement()) {
                for (String sql : GpEmulation.coordinatorSql(primaries, options.gpForm(), options.gpSwitchWal())) {
                    st.execute(sql);
                }
            }
            for (SandboxInstance p : primaries) {
                try (Connection c = connector.connect(p.contentId()); Statement st = c.createStatement()) {
                    for (String sql : GpEmulation.instanceSql(p.contentId())) {
                        st.execute(sql);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot load the sandbox schema: " + e.getMessage(), e);
        }
    }

    /**
     * Switches to a new WAL file and waits until the one just closed is archived: the DR copies need the
     * base backups' end. Its {@code .ready} status file disappears only after archive_command returned 0.
     */
    void switchWalAndAwaitArchive(SandboxInstance p, long walSegmentBytes) throws IOException {
        try (Connection c = connector.connect(p.contentId())) {
            String walFile;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                walFile = rs.getString(1);
            }
            long deadline = System.nanoTime() + ARCHIVE_WAIT.toNanos();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pg_stat_file('pg_wal/archive_status/' || ? || '.ready', true) IS NULL")) {
                ps.setString(1, walFile);
                while (true) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getBoolean(1)) {
                            break;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException(p.name() + ": WAL file " + walFile + " not archived within "
                                + ARCHIVE_WAIT.toSeconds() + " s (see " + layout.primaryLog(p.contentId()) + ")");
                    }
                    Thread.sleep(50);
                }
            }
            Path archived = layout.archiveDir(p.contentId()).resolve(walFile);
            long expected = walSegmentBytes;
            if (!Files.isRegularFile(archived) || Files.size(archived) != expected) {
                throw new IOException(p.name() + ": " + archived + " missing or not " + expected + " bytes after archiving");
            }
        } catch (SQLException e) {
            throw new IOException(p.name() + ": cannot switch WAL: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the archive", e);
        }
    }
}
