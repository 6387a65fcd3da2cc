package io.whpg.drsync.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerSettingsTest {
    private final SandboxLayout layout = SandboxLayout.of(Path.of("/tmp/sbx"));

    @Test
    void primaryArchivesWithPlainCopyIntoItsContentDirectory() {
        String conf = ServerSettings.primary(layout, -1, 40000);
        assertTrue(conf.contains("\nport = 40000\n"), conf);
        assertTrue(conf.contains("\nlisten_addresses = '127.0.0.1'\n"), conf);
        assertTrue(conf.contains("\nwal_level = replica\n"), conf);
        assertTrue(conf.contains("\narchive_mode = on\n"), conf);
        assertTrue(conf.contains(
                "\narchive_command = 'test ! -f /tmp/sbx/archive/-1/%f && cp %p /tmp/sbx/archive/-1/%f'\n"), conf);
        assertTrue(conf.contains("\nunix_socket_directories = '/tmp/sbx/run'\n"), conf);
    }

    @Test
    void drCopyNeverArchivesRestoresFromItsArchiveAndLogsInsideItsDataDir() {
        String conf = ServerSettings.drCopy(layout, 0, 40001, "127.0.0.1");
        assertTrue(conf.contains("\nport = 40001\n"), conf);
        assertTrue(conf.contains("\nlisten_addresses = '127.0.0.1'\n"), conf);
        assertTrue(conf.contains("\narchive_mode = off\n"), conf);
        assertFalse(conf.contains("archive_command"), conf);
        assertTrue(conf.contains("\nrestore_command = 'cp /tmp/sbx/archive/0/%f %p'\n"), conf);
        assertTrue(conf.contains("\nhot_standby = on\n"), conf);
        assertTrue(conf.contains("\nlog_directory = 'log'\nlog_filename = 'postgresql.log'\n"), conf);
    }

    @Test
    void drCopyBehindAnSshHostAlsoListensOnItsHostsAddress() {
        String conf = ServerSettings.drCopy(layout, 1, 40002, "127.0.0.3");
        assertTrue(conf.contains("\nlisten_addresses = '127.0.0.1,127.0.0.3'\n"), conf);
    }

    @Test
    void hbaTrustsOnlyTheServiceUser() {
        assertEquals("""
                # Written by whpg_dr_sync sandbox
                local all postgres trust
                host all postgres 127.0.0.1/32 trust
                local replication postgres trust
                host replication postgres 127.0.0.1/32 trust
                """, ServerSettings.hba("postgres"));
    }

    @Test
    void lastLineIsAddedOnce() {
        String once = ServerSettings.withLastLine("a = 1", ServerSettings.RECOVERY_INCLUDE);
        assertEquals("a = 1\ninclude_if_exists = 'whpg_dr_sync.recovery.conf'\n", once);
        assertEquals(once, ServerSettings.withLastLine(once, ServerSettings.RECOVERY_INCLUDE));
    }
}
