package io.whpg.drsync.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The --once lock on a real Camel context and real OS file locks, against a real second process. */
class OnceLeadershipTest {
    @TempDir
    Path lockDir;

    @Test
    void aFreeLockIsTakenAndHeldUntilClosed() throws Exception {
        try (DefaultCamelContext context = contextWithFileLock()) {
            Optional<OnceLeadership> held = OnceLeadership.acquire(context, lock(context), Duration.ofSeconds(5));
            assertTrue(held.isPresent());
            Path file = lockDir.resolve(ConsumerLock.NAMESPACE);
            assertTrue(heldInProcLocks(file), "no POSIX lock of this process on " + file);
            held.get().close();
            assertFalse(heldInProcLocks(file), "still locked after close");
        }
    }

    @Test
    void aLockHeldByAnotherLiveProcessIsRefusedAtOnceAndTakenWhenThatProcessIsGone() throws Exception {
        Path file = lockDir.resolve(ConsumerLock.NAMESPACE);
        Files.createFile(file);
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldLock.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        try (DefaultCamelContext context = contextWithFileLock()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            assertTrue(OnceLeadership.heldByAnotherProcess(file));
            long t0 = System.nanoTime();
            Optional<OnceLeadership> refused = OnceLeadership.acquire(context, lock(context), Duration.ofSeconds(10));
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(refused.isEmpty());
            assertTrue(tookMillis < 5000, "refused after " + tookMillis + " ms: it waited for the 10 s budget");

            other.getOutputStream().close(); // the holder exits, the OS drops its lock
            assertEquals(0, other.waitFor());
            assertFalse(OnceLeadership.heldByAnotherProcess(file));
            Optional<OnceLeadership> taken = OnceLeadership.acquire(context, lock(context), Duration.ofSeconds(5));
            assertTrue(taken.isPresent());
            taken.get().close();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aMissingOrOddLockFileSaysNothingAboutOtherProcesses() throws Exception {
        assertFalse(OnceLeadership.heldByAnotherProcess(lockDir.resolve("absent")));
        Files.createDirectory(lockDir.resolve("dir"));
        assertFalse(OnceLeadership.heldByAnotherProcess(lockDir.resolve("dir")));
        Path target = Files.createFile(lockDir.resolve("target"));
        Files.createSymbolicLink(lockDir.resolve("link"), target);
        assertFalse(OnceLeadership.heldByAnotherProcess(lockDir.resolve("link")));
    }

    private DefaultCamelContext contextWithFileLock() throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.disableJMX();
        context.addService(ConsumerLock.fileLock(lockDir.toString()));
        context.start();
        return context;
    }

    private static FileLockClusterService lock(DefaultCamelContext context) {
        return context.hasService(FileLockClusterService.class);
    }

    /** Whether /proc/locks lists a POSIX lock of this process on the file's inode. */
    private static boolean heldInProcLocks(Path file) throws Exception {
        Object inode = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        String ino = inode.toString().replaceAll(".*ino=(\\d+).*", "$1");
        String pid = Long.toString(ProcessHandle.current().pid());
        return Files.readAllLines(Path.of("/proc/locks")).stream().map(l -> l.trim().split("\\s+"))
                .anyMatch(f -> f.length > 5 && f[1].equals("POSIX") && f[4].equals(pid) && f[5].endsWith(":" + ino));
    }

    /** A second process: takes the OS lock, says so, holds it until its stdin closes. */
    public static final class HoldLock {
        public static void main(String[] args) throws Exception {
            try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
                channel.lock();
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // hold until the parent closes our stdin
                }
            }
        }
    }
}
