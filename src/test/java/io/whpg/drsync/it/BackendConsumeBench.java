package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.sandbox.SandboxInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Not part of verify (no IT suffix): bench/README.md runs it with {@code -Dit.test=BackendConsumeBench}. BackendDrCycleIT's
 * cases run first (they leave the DR site parked on S3), then one consume cycle with the WAL on S3 is timed against
 * the same cycle on posix.
 */
class BackendConsumeBench extends BackendDrCycleIT {
    /**
     * The bench (bench/README.md, not part of verify): one consume cycle with the WAL on S3 against the same cycle on
     * posix, alternating on this sandbox; the result goes to the file named by -Dwhpg.bench.backends.
     */
    @Test
    @Order(5)
    void benchConsumeCycleS3AgainstPosix() throws Exception {
        moveAway = false;
        Thread.sleep(1000);
        // the files the mirror moved away go back, readable, so the posix cycle finds every WAL file it needs
        Path held = SANDBOX.dir().resolve("archive-held");
        for (SandboxInstance p : sandbox.primaries()) {
            Path from = held.resolve(String.valueOf(p.contentId()));
            if (!Files.isDirectory(from)) {
                continue;
            }
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.toList()) {
                    Path back = sandbox.archiveDir(p.contentId()).resolve(f.getFileName());
                    uploaded.add(back);
                    Files.copy(f, back, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(back, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
        Path posix = sandbox.configFile();
        List<Long> s3Millis = new java.util.ArrayList<>();
        List<Long> posixMillis = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            for (Path config : List.of(s3Config, posix)) {
                ItSupport.commitOnEveryPrimary(sandbox, "bench-" + i);
                ItSupport.Run published = ItSupport.publish(s3Config);
                assertEquals(0, published.exitCode(), published.output());
                Thread.sleep(700); // the mirror's upload lag is the archiver's business, not the consumer's
                long t0 = System.nanoTime();
                ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
                long took = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(0, dr.exitCode(), dr.output());
                (config == posix ? posixMillis : s3Millis).add(took);
            }
        }
        long s3Median = s3Millis.stream().sorted().toList().get(2);
        long posixMedian = posixMillis.stream().sorted().toList().get(2);
        String text = "# One consume cycle: WAL on S3 (S3Proxy, in-process) against posix\n\n"
                + "BackendDrCycleIT#benchConsumeCycleS3AgainstPosix on a sandbox (coordinator + 2 segments, 16 MB WAL"
                + " segments), alternating, a small commit on every primary and one publish before each `dr run --once`"
                + " (timed in-process, the JVM warm).\n\n"
                + "| backend | runs (ms) | median (ms) |\n|---|---|---|\n"
                + "| posix | " + posixMillis + " | " + posixMedian + " |\n"
                + "| s3 | " + s3Millis + " | " + s3Median + " |\n\n"
                + String.format("S3 / posix = %.2f; bound 1.3 x posix + 500 ms = %d ms: %s%n", (double) s3Median / posixMedian,
                        (long) (1.3 * posixMedian) + 500, s3Median <= 1.3 * posixMedian + 500 ? "met" : "NOT met");
        Files.writeString(Path.of(System.getProperty("whpg.bench.backends", "target/backends-consume.md")), text);
        assertTrue(s3Median <= 1.3 * posixMedian + 500, text);
    }

}
