package io.whpg.drsync.dr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.LocalHostShell;
import io.whpg.drsync.exec.ShellQuote;
import io.whpg.drsync.pg.Lsn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's instances are worked on side by side, one per core, at most {@link HostScripts#PARALLEL_PER_HOST} at once, and
 * the host's output stays one stream in instance order. The stand-in binaries count how many of them run at
 * the same moment (a marker file each, counted after a pause), so the test sees the overlap, not a clock.
 */
class HostScriptsParallelTest {
    private static final int INSTANCES = HostScripts.PARALLEL_PER_HOST + 3;

    @TempDir
    Path tmp;

    @Test
    void probeRunsUpToTheBoundAtOnceAndPrintsEachInstanceInOrder() throws IOException {
        Path bin = countingBin("pg_controldata", "echo \"Data directory: $1\"");
        List<InstanceRef> instances = IntStream.range(0, INSTANCES)
                .mapToObj(i -> new InstanceRef(i, tmp.resolve("d" + i).toString())).toList();
        instances.forEach(i -> tmp.resolve("d" + i.gpSegmentId()).toFile().mkdirs());

        CommandResult r = run(HostScripts.probe(bin.toString(), instances));

        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        List<String> expected = new ArrayList<>();
        for (InstanceRef i : instances) {
            expected.add("@@whpg begin " + i.gpSegmentId());
            expected.add("@@cd Data directory: " + i.dataDir());
            expected.add("@@whpg end " + i.gpSegmentId());
        }
        assertEquals(expected, r.stdout().lines().toList());
        assertOverlapBounded();
    }

    @Test
    void startLaunchesTheInstancesSideBySideAndReportsThemInOrder() throws IOException {
        // pg_ctl start -W ... -l LOG: the stand-in ends the "server" at once, as a server with nothing to replay would
        Path bin = countingBin("pg_ctl", "echo 'database system is shut down' > \"$6\"");
        List<PlannedStart> plans = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            Path d = Files.createDirectories(tmp.resolve("d" + i));
            plans.add(new PlannedStart(i, d.toString(), 5432 + i,
                    RecoveryTargetFile.render("rp1", Lsn.parse("0/9000000"), 1, Instant.parse("2026-02-01T18:35:49Z")),
                    RecoveryTargetFile.settings(Lsn.parse("0/9000000"), 1), d + "/log/whpg_dr_sync-rp1.log"));
        }

        CommandResult r = run(HostScripts.start(bin.toString(), "rp1", plans));

        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertEquals(IntStream.range(0, INSTANCES).mapToObj(i -> "@@whpg launched " + i + " 0").toList(),
                r.stdout().lines().toList());
        assertOverlapBounded();
    }

    /** Old code: one at a time (1). Now: more than one, never more than the bound; no temp dir left behind. */
    private void assertOverlapBounded() throws IOException {
        List<Integer> seen = Files.readAllLines(tmp.resolve("overlap")).stream().map(String::trim).map(Integer::parseInt).toList();
        assertEquals(INSTANCES, seen.size(), seen.toString());
        int most = seen.stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(most > 1, "one instance at a time: " + seen);
        assertTrue(most <= Math.min(HostScripts.PARALLEL_PER_HOST, Runtime.getRuntime().availableProcessors()),
                "more than the bound (one per core, at most " + HostScripts.PARALLEL_PER_HOST + ") at once: " + seen);
        try (Stream<Path> left = Files.list(tmp.resolve("scratch"))) {
            assertEquals(List.of(), left.toList());
        }
    }

    /** A stand-in binary that marks itself running for 0.4 s, records how many were running, then does {@code body}. */
    private Path countingBin(String name, String body) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path running = Files.createDirectories(tmp.resolve("running"));
        Files.createDirectories(tmp.resolve("scratch"));
        String r = ShellQuote.quote(running.toString());
        Files.writeString(bin.resolve(name), "#!/bin/sh\n"
                + "touch " + r + "/$$; sleep 0.4; ls " + r + " | wc -l >> " + ShellQuote.quote(tmp.resolve("overlap").toString())
                + "; rm -f " + r + "/$$\n" + body + "\n");
        bin.resolve(name).toFile().setExecutable(true);
        return bin;
    }

    private CommandResult run(String script) {
        String env = "TMPDIR=" + ShellQuote.quote(tmp.resolve("scratch").toString()) + "; export TMPDIR\n";
        return new LocalHostShell(null).run(env + script, Duration.ofSeconds(30));
    }
}
