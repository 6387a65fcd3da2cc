package io.whpg.drsync.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostmasterTest {

    @Test
    void pidIsTheFirstLineOfPostmasterPid() {
        assertEquals(OptionalLong.of(4242), Postmaster.parsePid("4242\n/tmp/d\n1700000000\n5432\n"));
        assertEquals(OptionalLong.empty(), Postmaster.parsePid(""));
        assertEquals(OptionalLong.empty(), Postmaster.parsePid("-1\n"));
        assertEquals(OptionalLong.empty(), Postmaster.parsePid("42x\n"));
    }

    @Test
    void aPidFileNamingALiveProcessThatIsNotPostgresNamesNoServer(@TempDir Path dataDir) throws Exception {
        // This JVM is alive but not postgres: a stale pid file whose pid was reused must not be stopped.
        Files.writeString(dataDir.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n");
        assertTrue(ProcessHandle.current().isAlive());
        assertFalse(Postmaster.isLivePostgres(ProcessHandle.current()));
        assertTrue(Postmaster.running(dataDir).isEmpty());
        assertTrue(Postmaster.running(dataDir.resolve("absent")).isEmpty());
    }
}
