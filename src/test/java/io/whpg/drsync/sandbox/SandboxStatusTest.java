package io.whpg.drsync.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SandboxStatusTest {

    @Test
    void tableHasOneAlignedRowPerInstance() {
        SandboxStatus status = new SandboxStatus(Path.of("/tmp/sbx"), "postgres", List.of(
                new SandboxStatus.InstanceStatus(-1, SandboxStatus.Role.PRIMARY, 40000, Path.of("/tmp/sbx/primary/gpseg-1"),
                        true, OptionalLong.of(1234), "in production"),
                new SandboxStatus.InstanceStatus(-1, SandboxStatus.Role.DR, 40001, Path.of("/tmp/sbx/dr/gpseg-1"),
                        false, OptionalLong.empty(), "shut down in recovery")), List.of());
        assertEquals("""
                sandbox /tmp/sbx (user postgres)
                CONTENT  ROLE     PORT   RUNNING  PID   STATE                  DATA DIR
                -1       primary  40000  yes      1234  in production          /tmp/sbx/primary/gpseg-1
                -1       dr       40001  no       -     shut down in recovery  /tmp/sbx/dr/gpseg-1
                """, status.toTable());
        assertEquals(1, status.primaries().size());
        assertEquals(1, status.drCopies().size());
    }

    @Test
    void sshHostsFollowInTheirOwnTable() {
        SandboxStatus status = new SandboxStatus(Path.of("/tmp/sbx"), "postgres", List.of(
                new SandboxStatus.InstanceStatus(-1, SandboxStatus.Role.DR, 40001, Path.of("/tmp/sbx/dr/gpseg-1"),
                        false, OptionalLong.empty(), "shut down in recovery")),
                List.of(new SandboxStatus.SshHostStatus("127.0.0.2", 42000, 777, true, List.of(-1, 2)),
                        new SandboxStatus.SshHostStatus("127.0.0.3", 42001, 778, false, List.of(0))));
        assertEquals("""
                sandbox /tmp/sbx (user postgres)
                CONTENT  ROLE  PORT   RUNNING  PID  STATE                  DATA DIR
                -1       dr    40001  no       -    shut down in recovery  /tmp/sbx/dr/gpseg-1
                SSH HOST   PORT   RUNNING  PID  DR CONTENT
                127.0.0.2  42000  yes      777  -1,2
                127.0.0.3  42001  no       778  0
                """, status.toTable());
    }
}
