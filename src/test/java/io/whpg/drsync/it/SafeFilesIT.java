package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14 on a real sandbox, tool run as root: files written where another user owns the directory
 * (planted symlinks), a full receipts file system (a real tmpfs), a state write that fails after every
 * instance was verified, two publishers at once, a point stamped a year ahead, archive problems.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SafeFilesIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());

    private static Sandbox sandbox;
    private static Path config;
    private static DrSyncConfig cfg;

    @BeforeAll
    static void convergeOnce() throws Exception {
        sandbox = SANDBOX.sandbox();
        config = sandbox.configFile();
        cfg = ConfigLoader.load(config);
        converge(publish("start"));
    }

    /**
     * The service user owns state_dir and receipts_dir (as the sandbox makes them). It plants symlinks to a root-owned
     * 0600 file outside every configured directory: at the old temp names {@code .<file>.tmp-<pid>} for the next
     * 3000 pids, where a root-run cycle advances; then at the final name in_transit.json, which is refused in one
     * line before any instance starts. The file stays byte-identical throughout.
     */
    @Test
    @Order(1)
    void symlinksPlantedByTheDirectorysOwnerNeverMakeARootRunWriteOutside() throws Exception {
        Path outside = Files.createTempFile(Path.of("/root"), "whpg-secret", ".txt");
        byte[] secret = "root-only secret\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(outside, secret);
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-------"));
        Path state = cfg.dr().stateDir();
        assertEquals(sandbox.serviceUser(), Files.getOwner(state).getName(), "the sandbox gives the state dir to its user");
        long next = Long.parseLong(Files.readString(Path.of("/proc/sys/kernel/ns_last_pid")).strip()) + 1;
        String plant = "cd '" + state + "' && for i in $(seq " + next + " "
                + (next + 3000) + "); do ln -s '" + outside + "' .in_transit.json.tmp-$i; ln -s '" + outside
                + "' .current_restore_point.txt.tmp-$i; done; cd '" + cfg.dr().receiptsDir() + "' && for i in $(seq "
                + next + " " + (next + 3000) + "); do ln -s '" + outside + "' .x.tmp-$i; done";
        try {
            ItSupport.runAs(sandbox.serviceUser(), "sh", "-c", plant);
            String point = publish("planted");
            ItSupport.Run r = dr();
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("advanced to " + point), r.output());
            assertArrayEquals(secret, Files.readAllBytes(outside));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)));
            assertTrue(Files.isRegularFile(state.resolve(StateStore.FILE_NAME), LinkOption.NOFOLLOW_LINKS));
            assertEquals(Optional.of(point), new StateStore(state).current());

            Path transit = state.resolve(StateStore.TRANSIT_FILE_NAME);
            ItSupport.runAs(sandbox.serviceUser(), "ln", "-s", outside.toString(), transit.toString());
            publish("planted-final");
            r = dr();
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.out().lines().findFirst().orElseThrow().endsWith(transit
                    + ": cannot write: it is a symbolic link; refusing to write through or replace it"), r.output());
            assertArrayEquals(secret, Files.readAllBytes(outside));
            assertTrue(Files.isSymbolicLink(transit), "the planted link is left for the operator to see");
            assertEquals(Optional.of(point), new StateStore(state).current(), "nothing started, the state stands");
        } finally {
            ItSupport.runAs(sandbox.serviceUser(), "sh", "-c", "find '" + state + "' '" + cfg.dr().receiptsDir()
                    + "' -maxdepth 1 -type l -delete");
            Files.delete(outside);
        }
    }

    /** With behavior.refuse_shared_dirs the same run refuses in one line naming the directory, before anything runs. */
    @Test
    @Order(2)
    void refuseSharedDirsRefusesADirectoryAnotherUserOwns() throws Exception {
        Path strict = ItSupport.edited(config, "strict", root -> ((com.fasterxml.jackson.databind.node.ObjectNode)
                root.path("behavior")).put("refuse_shared_dirs", true));
        String current = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        ItSupport.Run r = ItSupport.cli("dr", "run", "--once", "--config", strict.toString());
        assertEquals(2, r.exitCode(), r.output());
        assertEquals("whpg_dr_sync: dr.state_dir: " + cfg.dr().stateDir() + " owned by " + sandbox.serviceUser()
                + ": another user can plant files there while the tool runs as root (behavior.refuse_shared_dirs is true)\n",
                r.err());
        assertEquals("", r.out());
        assertEquals(Optional.of(current), new StateStore(cfg.dr().stateDir()).current());
    }

    /**
     * A full receipts file system (a real 16 KB tmpfs, filled): the instances reach the target and are verified, but no
     * receipt can be written. The cycle fails in one line naming the cause, the state is not advanced, and no temp file
     * is left behind.
     */
    @Test
    @Order(3)
    void aFullReceiptsFileSystemFailsInOneLineAndNeverAdvancesTheState() throws Exception {
        String before = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        String point = publish("receipts-full");
        Path receipts = cfg.dr().receiptsDir();
        ItSupport.runAs("root", "mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", receipts.toString());
        try {
            ItSupport.runAs("root", "sh", "-c", "dd if=/dev/zero of='" + receipts + "/fill' bs=4k 2>/dev/null; true");
            ItSupport.Run r = dr();
            assertEquals(1, r.exitCode(), r.output());
            assertEquals(1, r.out().lines().count(), r.output());
            assertTrue(r.out().startsWith("FAILED state_write_failed: every instance verified parked at " + point
                    + " but the success receipt could not be written, state not advanced: "), r.output());
            assertTrue(r.out().contains("No space left on device; no receipt written: "), r.output());
            assertFalse(r.output().contains("\tat "), r.output());
            assertEquals(Optional.empty(), new StateStore(cfg.dr().stateDir()).current());
            assertEquals(Optional.of(before), new StateStore(cfg.dr().stateDir()).transit().orElseThrow().from());
            try (Stream<Path> s = Files.list(receipts)) {
                assertEquals(List.of("fill"), s.map(p -> p.getFileName().toString()).toList());
            }
        } finally {
            ItSupport.runAs("root", "umount", receipts.toString());
        }
        converge(point);
    }

    /**
     * The state write fails after every instance was verified (the state dir's owner puts a directory where the state
     * file goes, while the cycle runs): the success receipt is removed, the cycle fails as state_write_failed in one
     * line, and its failure receipt says so. No receipt claims an advancement the state does not record.
     */
    @Test
    @Order(4)
    void aFailedStateWriteLeavesNoSuccessReceipt() throws Exception {
        String point = publish("state-blocked");
        Path state = cfg.dr().stateDir();
        Path stateFile = state.resolve(StateStore.FILE_NAME);
        AtomicBoolean stop = new AtomicBoolean();
        Thread blocker = new Thread(() -> {
            while (!stop.get()) {
                if (Files.exists(state.resolve(StateStore.TRANSIT_FILE_NAME)) && !Files.exists(stateFile)) {
                    ItSupport.runAs(sandbox.serviceUser(), "mkdir", "-p", stateFile.resolve("blocker").toString());
                    return;
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        blocker.start();
        ItSupport.Run r;
        try {
            r = dr();
        } finally {
            stop.set(true);
            blocker.join();
        }
        try {
            assertEquals(1, r.exitCode(), r.output());
            assertEquals(1, r.out().lines().count() - (r.out().contains("\nreceipt: ") ? 1 : 0), r.output());
            assertTrue(r.out().startsWith("FAILED state_write_failed: every instance verified parked at " + point
                    + " but the state could not be written, its success receipt was removed: " + stateFile
                    + ": cannot write: "), r.output());
            assertFalse(Files.exists(cfg.dr().receiptsDir().resolve(point + ".receipt.json")), "no success receipt");
            List<Path> failed;
            try (Stream<Path> s = Files.list(cfg.dr().receiptsDir())) {
                failed = s.filter(p -> p.getFileName().toString().startsWith(point + ".")
                        && p.getFileName().toString().endsWith(".state_write_failed.receipt.json")).toList();
            }
            assertEquals(1, failed.size(), failed.toString());
            assertFalse(io.whpg.drsync.state.Json.MAPPER.readTree(failed.get(0).toFile()).path("advanced").asBoolean());
            try (Stream<Path> s = Files.list(state)) {
                assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList());
            }
        } finally {
            ItSupport.runAs("root", "rm", "-rf", stateFile.toString());
        }
        converge(point);
    }

    /**
     * Two publishers started at once: the name carries the second, so they often pick the same one. Never do both
     * publish it: one fails with restore_point_exists naming it, and the manifest is the winner's. Repeated until a
     * collision was seen (at most 8 pairs).
     */
    @Test
    @Order(5)
    void twoPublishersAtOnceNeverPublishTheSameName() throws Exception {
        boolean collided = false;
        for (int attempt = 0; attempt < 8 && !collided; attempt++) {
            ItSupport.commitOnEveryPrimary(sandbox, "two-publishers-" + attempt);
            List<ToolProcess> both = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                both.add(ToolProcess.start("primary", "run", "--once", "--config", config.toString()));
            }
            List<Integer> codes = new ArrayList<>();
            for (ToolProcess p : both) {
                codes.add(p.waitFor(Duration.ofSeconds(120)));
            }
            ItSupport.publishedElsewhere(); // names are stamped to the second: the next publish must not reuse this one
            if (codes.equals(List.of(0, 0))) {
                assertFalse(manifestLine(both.get(0)).equals(manifestLine(both.get(1))), both.get(0).output());
                continue;
            }
            collided = true;
            int loser = codes.get(0) == 0 ? 1 : 0;
            assertEquals(List.of(0, 1), List.of(codes.get(1 - loser), codes.get(loser)), both.get(loser).output());
            String out = both.get(loser).stdout();
            assertTrue(out.startsWith("FAILED restore_point_exists: restore point "), out);
            String name = out.substring("FAILED restore_point_exists: restore point ".length()).split(" ")[0];
            assertTrue(out.contains(" is taken: it has a manifest or another publisher reserved it"), out);
            assertEquals(cfg.storage().manifestDir().resolve(name + ".json").toString(), manifestLine(both.get(1 - loser)));
            assertTrue(io.whpg.drsync.state.ManifestStore.readFile(cfg.storage().manifestDir().resolve(name + ".json")).ready());
        }
        assertTrue(collided, "8 pairs of publishers started together never picked the same second");
        try (Stream<Path> s = Files.list(cfg.storage().manifestDir())) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".reserved")).toList());
        }
        converge(ItSupport.latestReady(cfg));
    }

    /**
     * A point stamped a year ahead (its name and created_at_utc) at the DR's current LSNs, the state naming it: the
     * old name-stamp order put it first and every newer READY point behind it ("nothing to do", exit 0). Ordered by
     * LSN, the newer point is applied, and dr status warns about the stamp.
     */
    @Test
    @Order(6)
    void aPointStampedAYearAheadNeverStallsNewerReadyPoints() throws Exception {
        StateStore state = new StateStore(cfg.dr().stateDir());
        Manifest current = io.whpg.drsync.state.ManifestStore.readFile(
                cfg.storage().manifestDir().resolve(state.current().orElseThrow() + ".json"));
        Instant ahead = Instant.now().plus(366, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        String futureName = io.whpg.drsync.state.RestorePointName.forInstant("sync_point_", ahead);
        Path futureFile = ItSupport.writeSigned(cfg, new Manifest(futureName, ahead, true, current.walSegmentSize(),
                current.segments(), current.evidence()));
        state.advance(futureName);
        try {
            String point = publish("after-the-future");
            ItSupport.Run r = dr();
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.out().startsWith("advanced to " + point), r.output());
            ItSupport.Run status = ItSupport.cli("dr", "status", "--config", config.toString());
            assertEquals(0, status.exitCode(), status.output());
            assertTrue(status.out().contains("WARNING manifest      : " + futureName + ": created_at_utc " + ahead
                    + " is in the future"), status.out());
        } finally {
            Files.delete(futureFile);
        }
    }

    /**
     * Archive problems are named with their cause, never "internal_error: Exception occurred during execution on the
     * exchange": the coordinator's archive directory missing, then a symlink loop in its place. Only a receipt changes.
     */
    @Test
    @Order(8)
    void archiveProblemsAreOneLineNamingTheDirectoryAndTheCause() throws Exception {
        String point = publish("archive-gone");
        Path dir = cfg.archive().archiveDir().resolve("-1");
        Path aside = dir.resolveSibling("-1.aside");
        Files.move(dir, aside);
        try {
            Snapshot before = Snapshot.of(sandbox, cfg);
            ItSupport.Run r = dr();
            assertEquals(1, r.exitCode(), r.output());
            assertEquals("FAILED archive_unreadable: archive directory of segment -1 does not exist: " + dir,
                    r.out().lines().findFirst().orElseThrow(), r.output());
            List<String> changes = before.changesUntil(Snapshot.of(sandbox, cfg));
            assertEquals(1, changes.size(), changes.toString());
            Files.createSymbolicLink(dir, dir);
            r = dr();
            assertEquals(1, r.exitCode(), r.output());
            assertEquals("FAILED archive_unreadable: cannot list archive directory " + dir + ": " + dir
                    + ": Too many levels of symbolic links or unable to access attributes of symbolic link", r.out().lines().findFirst().orElseThrow(), r.output());
            assertFalse(r.output().contains("Exception occurred"), r.output());
        } finally {
            Files.deleteIfExists(dir);
            Files.move(aside, dir);
        }
        converge(point);
    }

    private static String manifestLine(ToolProcess p) {
        return p.stdout().lines().filter(l -> l.startsWith("manifest: ")).map(l -> l.substring("manifest: ".length()))
                .findFirst().orElse("");
    }

    private static String publish(String note) throws Exception {
        ItSupport.commitOnEveryPrimary(sandbox, note);
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        return ItSupport.latestReady(cfg);
    }

    private static ItSupport.Run dr() {
        return ItSupport.cli("dr", "run", "--once", "--config", config.toString());
    }

    private static void converge(String point) throws Exception {
        ItSupport.Run r = dr();
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(Optional.of(point), new StateStore(cfg.dr().stateDir()).current(), r.output());
        assertEquals(List.of(), Evidence.parkedAt(sandbox, point, cfg));
    }
}
