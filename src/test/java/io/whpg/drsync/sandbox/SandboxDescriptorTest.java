package io.whpg.drsync.sandbox;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SandboxDescriptorTest {
    private static final Path FILE = Path.of("/tmp/sbx/sandbox.json");

    @Test
    void roundTrips() throws IOException {
        SandboxDescriptor d = new SandboxDescriptor(Path.of("/tmp/sbx"), "postgres",
                new SandboxOptions(1, 64, GpForm.SETOF_RECORD, false, 2),
                List.of(new SandboxInstance(-1, 40000, Path.of("/tmp/sbx/primary/gpseg-1"), "postgres"),
                        new SandboxInstance(0, 40001, Path.of("/tmp/sbx/primary/gpseg0"), "postgres")),
                List.of(new SandboxInstance(-1, 40002, Path.of("/tmp/sbx/dr/gpseg-1"), "postgres"),
                        new SandboxInstance(0, 40003, Path.of("/tmp/sbx/dr/gpseg0"), "postgres")),
                List.of(new SandboxSshHost("127.0.0.2", 41000, 1234, List.of(-1)),
                        new SandboxSshHost("127.0.0.3", 41001, 1235, List.of(0))));
        assertEquals(d, SandboxDescriptor.fromJson(d.toJson(), FILE));
    }

    @Test
    void aSandboxJsonFromBeforeSshHostsReadsAsAllLocal() throws IOException {
        SandboxDescriptor d = SandboxDescriptor.fromJson("""
                {"dir": "/tmp/sbx", "service_user": "postgres",
                 "options": {"segments": 1, "wal_segment_mb": 16, "gp_form": "OUT_PARAMS", "gp_switch_wal": true},
                 "primaries": [], "dr_copies": []}
                """, FILE);
        assertEquals(0, d.options().sshHosts());
        assertEquals(List.of(), d.sshHosts());
    }

    @Test
    void brokenFilesAreNamedWithTheFieldAtFault() {
        assertEquals("/tmp/sbx/sandbox.json: missing field primaries", assertThrows(IOException.class,
                () -> SandboxDescriptor.fromJson("""
                        {"dir": "/tmp/sbx", "service_user": "postgres",
                         "options": {"segments": 1, "wal_segment_mb": 16, "gp_form": "OUT_PARAMS", "gp_switch_wal": true}}
                        """, FILE)).getMessage());
        assertEquals("/tmp/sbx/sandbox.json: options: wal_segment_mb: must be a power of 2 between 1 and 1024, got 3",
                assertThrows(IOException.class, () -> SandboxDescriptor.fromJson("""
                        {"dir": "/tmp/sbx", "service_user": "postgres",
                         "options": {"segments": 1, "wal_segment_mb": 3, "gp_form": "OUT_PARAMS", "gp_switch_wal": true}}
                        """, FILE)).getMessage());
        assertThrows(IOException.class, () -> SandboxDescriptor.fromJson("{", FILE));
    }
}
