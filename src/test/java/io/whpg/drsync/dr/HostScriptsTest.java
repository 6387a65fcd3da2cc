package io.whpg.drsync.dr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.HostShell;
import io.whpg.drsync.exec.LocalHostShell;
import io.whpg.drsync.exec.OsUser;
import io.whpg.drsync.pg.BackupLabel;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.PgSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step scripts run for real with sh against data directories made here: real pg_control files (serverlog/),
 * real backup_label and backup_manifest (backup/), and the real pg_controldata of PostgreSQL 15.
 */
class HostScriptsTest {
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";
    /** Every character the shell would otherwise act on: quotes, expansion, command separator and substitution. */
    private static final String NASTY = "gp seg 'one' \"two\" $HOME ${PATH} ; `touch pwned` $(touch pwned2) & |";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    private final HostShell sh = new LocalHostShell(null);
    private Process live;

    @AfterEach
    void stopTheStandInPostmaster() throws InterruptedException, IOException {
        if (live != null) {
            live.destroyForcibly();
            live.waitFor();
        }
        // the shell's working directory is ours: anything the NASTY names ran would have created these
        boolean ran = Files.deleteIfExists(Path.of("pwned")) | Files.deleteIfExists(Path.of("pwned2"));
        assertFalse(ran, "a data dir name ran as code");
    }

    private CommandResult run(String script) {
        return sh.run(script, TIMEOUT);
    }

    /** A DR copy parked at 0/9000000 (serverlog/segment-boundary), as far as the scripts look. */
    private Path parkedCopy(String name) throws IOException {
        return parkedCopy(tmp, name);
    }

    private static Path parkedCopy(Path parent, String name) throws IOException {
        Path d = Files.createDirectories(parent.resolve(name));
        Files.createDirectories(d.resolve("global"));
        Files.write(d.resolve("global/pg_control"), PgSamples.bytes("serverlog/shut-down-in-recovery.pg_control"));
        Files.createDirectories(d.resolve("pg_wal"));
        Files.writeString(d.resolve("pg_wal/00000002.history"), PgSamples.read("timeline/00000002.history"));
        Files.writeString(d.resolve("pg_wal/000000010000000000000009"), "");
        Files.writeString(d.resolve("standby.signal"), "");
        Files.writeString(d.resolve("postgresql.conf"), "port = 5432\nrestore_command = 'cp /archive/%f %p'");
        return d;
    }

    /** A fresh pg_basebackup copy: in production, backup_label and backup_manifest present. */
    private Path freshCopy(String name) throws IOException {
        Path d = parkedCopy(name);
        Files.write(d.resolve("global/pg_control"), PgSamples.bytes("serverlog/basebackup-fresh.pg_control"));
        Files.writeString(d.resolve("backup_label"), PgSamples.read("backup/backup_label"));
        Files.writeString(d.resolve("backup_manifest"), PgSamples.read("backup/backup_manifest"));
        return d;
    }

    /** postmaster.pid naming a live process that runs in the data dir, as a running postmaster would. */
    private void running(Path dataDir) throws IOException {
        live = new ProcessBuilder("sleep", "60").directory(dataDir.toFile()).start();
        Files.writeString(dataDir.resolve("postmaster.pid"), live.pid() + "\n" + dataDir + "\n1700000000\n5432\n");
    }

    private static PlannedStart plan(int seg, Path dataDir, String restorePoint, String lsn) {
        return plan(seg, dataDir, restorePoint, lsn, 1);
    }

    private static PlannedStart plan(int seg, Path dataDir, String restorePoint, String lsn, int timeline) {
        return new PlannedStart(seg, dataDir.toString(), 5432,
                RecoveryTargetFile.render(restorePoint, Lsn.parse(lsn), timeline, Instant.parse("2026-02-01T18:35:49Z")),
                RecoveryTargetFile.settings(Lsn.parse(lsn), timeline), dataDir + "/log/whpg_dr_sync-" + restorePoint + ".log");
    }

    private static String file(Path p) throws IOException {
        return Files.readString(p);
    }

    private static long includeLines(Path dataDir) throws IOException {
        return Files.readAllLines(dataDir.resolve("postgresql.conf")).stream()
                .filter(HostScripts.INCLUDE_LINE::equals).count();
    }

    private static List<String> leftovers(Path dataDir) throws IOException {
        try (Stream<Path> s = Files.list(dataDir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp")).toList();
        }
    }

    @Test
    void probeSeesEverythingThroughAnyDataDirName() throws IOException {
        Path parked = parkedCopy(NASTY);
        Path fresh = freshCopy("fresh " + NASTY);
        Files.writeString(fresh.resolve("postgresql.auto.conf"),
                "# Do not edit this file manually!\nrecovery_target_name = 'rp0'\n  recovery_target_timeline = 'latest'\n"
                        + "#recovery_target_lsn = '0/1'\nwork_mem = '4MB'\n");
        Path empty = Files.createDirectories(tmp.resolve("empty " + NASTY));
        Path gone = tmp.resolve("gone " + NASTY);
        Path busy = parkedCopy("busy " + NASTY);
        running(busy);

        CommandResult r = run(HostScripts.probe(PG_BIN, List.of(new InstanceRef(-1, parked.toString()),
                new InstanceRef(0, fresh.toString()), new InstanceRef(1, empty.toString()),
                new InstanceRef(2, gone.toString()), new InstanceRef(3, busy.toString()))));
        assertEquals(0, r.exitCode(), r.stderr());
        ScriptOutput out = ScriptOutput.parse(r.stdout());

        InstanceProbe p = InstanceProbe.from(-1, out.block(-1).orElse(null));
        assertNull(p.problem());
        assertTrue(p.controlData().isShutDownInRecovery());
        assertEquals(Lsn.parse("0/9000000"), p.controlData().minRecoveryEnd());
        assertTrue(p.standbySignal());
        assertFalse(p.recoverySignal());
        assertFalse(p.running());
        assertFalse(p.includePresent());
        assertNull(p.backupLabel());
        assertEquals(List.of("00000002.history"), p.historyFiles());
        assertEquals(List.of(), p.foreignTargetSettings());

        InstanceProbe f = InstanceProbe.from(0, out.block(0).orElse(null));
        assertNull(f.problem());
        assertTrue(f.controlData().isInProduction());
        assertEquals(Lsn.parse("0/2000028"), f.backupLabel().startWal());
        assertEquals(Lsn.parse("0/2000100"), f.backupEndLsn());
        assertEquals(List.of("postgresql.auto.conf: recovery_target_name = 'rp0'",
                "postgresql.auto.conf:   recovery_target_timeline = 'latest'"), f.foreignTargetSettings());

        InstanceProbe e = InstanceProbe.from(1, out.block(1).orElse(null));
        assertEquals("pg_controldata failed: pg_controldata: error: could not open file \"" + empty
                + "/global/pg_control\" for reading: No such file or directory", e.problem());

        InstanceProbe g = InstanceProbe.from(2, out.block(2).orElse(null));
        assertFalse(g.dataDirExists());

        InstanceProbe b = InstanceProbe.from(3, out.block(3).orElse(null));
        assertEquals(live.pid(), (long) b.runningPid());
    }

    @Test
    void probeReadsTheWholeBackupLabelOfACopyWithoutManifest() throws IOException {
        // a Greenplum 7 (PostgreSQL 12) copy: backup_label only; once without its final newline
        Path gp7 = freshCopy("gp7 " + NASTY);
        Files.delete(gp7.resolve("backup_manifest"));
        String label = PgSamples.read("backup/gp7/backup_label");
        Files.writeString(gp7.resolve("backup_label"), label);
        Path torn = freshCopy("torn " + NASTY);
        Files.delete(torn.resolve("backup_manifest"));
        Files.writeString(torn.resolve("backup_label"), label.strip());

        CommandResult r = run(HostScripts.probe(PG_BIN, List.of(new InstanceRef(0, gp7.toString()),
                new InstanceRef(1, torn.toString()))));
        assertEquals(0, r.exitCode(), r.stderr());
        ScriptOutput out = ScriptOutput.parse(r.stdout());
        for (int seg : List.of(0, 1)) {
            InstanceProbe p = InstanceProbe.from(seg, out.block(seg).orElse(null));
            assertNull(p.problem());
            assertEquals(BackupLabel.parse(label), p.backupLabel());
            assertNull(p.backupEndLsn());
            assertEquals(List.of("00000002.history"), p.historyFiles(), "the line after the label stands on its own");
        }
    }

    @Test
    void probeAfterPrepareSeesTheIncludeLine() throws IOException {
        Path d = parkedCopy(NASTY);
        assertEquals(0, run(HostScripts.prepare(List.of(plan(-1, d, "rp1", "0/9000000")))).exitCode());
        CommandResult r = run(HostScripts.probe(PG_BIN, List.of(new InstanceRef(-1, d.toString()))));
        assertTrue(InstanceProbe.from(-1, ScriptOutput.parse(r.stdout()).block(-1).orElseThrow()).includePresent());
    }

    @Test
    void prepareWritesTheRecoveryFileAndIncludesItExactlyOnce() throws IOException {
        Path d = parkedCopy(NASTY);
        String before = file(d.resolve("postgresql.conf"));
        PlannedStart first = plan(-1, d, "rp1", "0/9000000");
        CommandResult r = run(HostScripts.prepare(List.of(first)));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertEquals(Optional.of("-1"), ScriptOutput.parse(r.stdout()).loose("prepared"));
        assertEquals(first.recoveryConf(), file(d.resolve(HostScripts.RECOVERY_CONF)));
        String after = file(d.resolve("postgresql.conf"));
        assertEquals(before + "\n# added by whpg_dr_sync: recovery targets live in the file below\n"
                + "include_if_exists = 'whpg_dr_sync.recovery.conf'\n", after);

        PlannedStart second = plan(-1, d, "rp2", "0/A000060");
        assertEquals(0, run(HostScripts.prepare(List.of(second))).exitCode());
        assertEquals(second.recoveryConf(), file(d.resolve(HostScripts.RECOVERY_CONF)));
        assertEquals(after, file(d.resolve("postgresql.conf")), "re-running prepare changes nothing else");
        assertEquals(1, includeLines(d));
        assertEquals(List.of(), leftovers(d));
    }

    /**
     * A full file system while the include line is added (a real tmpfs filled up): postgresql.conf keeps every byte,
     * no temp or backup file is left, and the step fails naming the file.
     */
    @Test
    void aFullDiskWhileAddingTheIncludeChangesNothingAndLeavesNoTempFile() throws IOException {
        assumeTrue(OsUser.isRoot(), "mounting a small tmpfs needs root");
        Path mount = Files.createDirectories(tmp.resolve("full"));
        assumeTrue(run("mount -t tmpfs -o size=256k tmpfs '" + mount + "'").ok(), "cannot mount a tmpfs here");
        try {
            Path d = parkedCopy(mount, "copy");
            Files.writeString(d.resolve("postgresql.conf"), "port = 5432\nrestore_command = 'cp /archive/%f %p'\n"
                    + "# padding\n".repeat(6000));
            byte[] before = Files.readAllBytes(d.resolve("postgresql.conf"));
            run("dd if=/dev/zero of='" + mount + "/filler' bs=4k 2>/dev/null; truncate -s -80K '" + mount + "/filler'");

            CommandResult r = run(HostScripts.prepare(List.of(plan(-1, d, "rp1", "0/9000000"))));

            assertEquals(4, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(Optional.of("adding the include to " + d + "/postgresql.conf: cannot write its new copy (nothing changed)"),
                    ScriptOutput.parse(r.stdout()).loose("write_failed"));
            assertEquals(new String(before), new String(Files.readAllBytes(d.resolve("postgresql.conf"))));
            try (Stream<Path> files = Files.list(d)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList());
            }
        } finally {
            run("umount '" + mount + "'");
        }
    }

    @Test
    void prepareHandlesSeveralInstancesInOneScript() throws IOException {
        Path a = parkedCopy("a " + NASTY);
        Path b = parkedCopy("b " + NASTY);
        CommandResult r = run(HostScripts.prepare(List.of(plan(0, a, "rp1", "0/9000000"), plan(1, b, "rp1", "0/9000100"))));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(Optional.of("0\n1"), ScriptOutput.parse(r.stdout()).loose("prepared"));
        assertTrue(file(a.resolve(HostScripts.RECOVERY_CONF)).contains("recovery_target_lsn = '0/9000000'"));
        assertTrue(file(b.resolve(HostScripts.RECOVERY_CONF)).contains("recovery_target_lsn = '0/9000100'"));
    }

    private void assertRefused(String expectedTagValue, CommandResult r) {
        assertEquals(3, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().lines().anyMatch(l -> l.equals("@@whpg refused " + expectedTagValue)), r.stdout());
        assertEquals(Optional.of(expectedTagValue), ScriptOutput.parse(r.stdout()).loose("refused"));
    }

    private void assertUntouched(Path d, String confBefore) throws IOException {
        assertFalse(Files.exists(d.resolve(HostScripts.RECOVERY_CONF)));
        assertEquals(confBefore, file(d.resolve("postgresql.conf")));
    }

    @Test
    void prepareRefusesWithoutStandbySignal() throws IOException {
        Path d = parkedCopy(NASTY);
        Files.delete(d.resolve("standby.signal"));
        String conf = file(d.resolve("postgresql.conf"));
        assertRefused("-1: standby.signal is missing", run(HostScripts.prepare(List.of(plan(-1, d, "rp1", "0/9000000")))));
        assertUntouched(d, conf);
    }

    @Test
    void prepareRefusesWithRecoverySignal() throws IOException {
        Path d = parkedCopy(NASTY);
        Files.writeString(d.resolve("recovery.signal"), "");
        String conf = file(d.resolve("postgresql.conf"));
        assertRefused("-1: recovery.signal is present", run(HostScripts.prepare(List.of(plan(-1, d, "rp1", "0/9000000")))));
        assertUntouched(d, conf);
    }

    @Test
    void prepareRefusesARunningInstance() throws IOException {
        Path d = parkedCopy(NASTY);
        running(d);
        String conf = file(d.resolve("postgresql.conf"));
        assertRefused("-1: a postmaster is running", run(HostScripts.prepare(List.of(plan(-1, d, "rp1", "0/9000000")))));
        assertUntouched(d, conf);
    }

    @Test
    void prepareRefusesWithoutPostgresqlConf() throws IOException {
        // writing one would start the copy with default settings and no restore_command
        Path d = parkedCopy(NASTY);
        Files.delete(d.resolve("postgresql.conf"));
        assertRefused("-1: postgresql.conf is missing", run(HostScripts.prepare(List.of(plan(-1, d, "rp1", "0/9000000")))));
        assertFalse(Files.exists(d.resolve("postgresql.conf")));
        assertFalse(Files.exists(d.resolve(HostScripts.RECOVERY_CONF)));
    }

    @Test
    void oneRefusalLeavesEveryInstanceOnTheHostUntouched() throws IOException {
        Path ok = parkedCopy("ok " + NASTY);
        Path bad = parkedCopy("bad " + NASTY);
        Files.delete(bad.resolve("standby.signal"));
        String okConf = file(ok.resolve("postgresql.conf"));
        CommandResult r = run(HostScripts.prepare(List.of(plan(0, ok, "rp1", "0/9000000"), plan(1, bad, "rp1", "0/9000000"))));
        assertRefused("1: standby.signal is missing", r);
        assertEquals(Optional.empty(), ScriptOutput.parse(r.stdout()).loose("prepared"));
        assertUntouched(ok, okConf);
    }

    @Test
    void startRunsPgCtlInsideTheDataDirSoItNeverPastesTheNameIntoItsOwnShellLine() throws IOException {
        // pg_ctl runs sh -c "exec postgres -D \"DIR\" ... >> \"LOG\"": a $ or ` in DIR would be expanded there.
        Path d = parkedCopy(NASTY);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path seen = tmp.resolve("pg_ctl-saw");
        Files.writeString(bin.resolve("pg_ctl"), "#!/bin/sh\n{ pwd; printf '%s\\n' \"$@\"; } > '" + seen + "'\n"
                + "echo 'database system is shut down' > \"$6\"\n");
        bin.resolve("pg_ctl").toFile().setExecutable(true);

        CommandResult r = run(HostScripts.start(bin.toString(), "sync_point_x", List.of(plan(3, d, "sync_point_x", "0/9000000"))));

        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(Optional.of("3 0"), ScriptOutput.parse(r.stdout()).loose("launched"));
        assertEquals(List.of(d.toString(), "start", "-W", "-D", ".", "-l", "log/whpg_dr_sync-sync_point_x.log", "-o",
                "-c port=5432 -c archive_mode=off -c logging_collector=off -c whpg_dr_sync.target=sync_point_x"),
                Files.readAllLines(seen));
        assertTrue(Files.isDirectory(d.resolve("log")));
    }

    @Test
    void pgCtlGetsTheLogRelativeToTheDataDirWhenItLiesInside() {
        assertEquals("log/a.log", HostScripts.logForPgCtl(new PlannedStart(0, NASTY, 1, "", java.util.Map.of(), NASTY + "/log/a.log")));
        assertEquals("log/a.log", HostScripts.logForPgCtl(new PlannedStart(0, "/d/", 1, "",  java.util.Map.of(), "/d/log/a.log")));
        assertEquals("/var/log/a.log", HostScripts.logForPgCtl(new PlannedStart(0, "/d", 1, "",  java.util.Map.of(), "/var/log/a.log")));
        assertEquals("/d2/a.log", HostScripts.logForPgCtl(new PlannedStart(0, "/d", 1, "",  java.util.Map.of(), "/d2/a.log")));
    }

    @Test
    void stopDoesNothingForInstancesThatAreNotRunning() throws IOException, InterruptedException {
        Path parked = parkedCopy(NASTY);
        Path stale = parkedCopy("stale " + NASTY);
        Process ended = new ProcessBuilder("true").start();
        assertEquals(0, ended.waitFor());
        Files.writeString(stale.resolve("postmaster.pid"), ended.pid() + "\n");
        CommandResult r = run(HostScripts.stop(PG_BIN, List.of(new InstanceRef(0, parked.toString()),
                new InstanceRef(1, stale.toString()), new InstanceRef(2, tmp.resolve("gone").toString()))));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stdout());
    }

    /** After a crash or reboot the pid in postmaster.pid may belong to another process: not a postmaster. */
    @Test
    void aReusedPidIsNotARunningPostmaster() throws IOException {
        Path d = parkedCopy(NASTY);
        live = new ProcessBuilder("sleep", "60").directory(tmp.toFile()).start();
        Files.writeString(d.resolve("postmaster.pid"), live.pid() + "\n" + d + "\n");
        CommandResult r = run(HostScripts.stop(PG_BIN, List.of(new InstanceRef(0, d.toString()))));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stdout(), "a process outside the data dir is not its postmaster");
    }

    @Test
    void stopReportsPgCtlsStatusForARunningInstance() throws IOException {
        assumeTrue(OsUser.isRoot(), "as root pg_ctl refuses at once; as anyone else it would signal the stand-in process");
        Path d = parkedCopy(NASTY);
        running(d);
        CommandResult r = run(HostScripts.stop(PG_BIN, List.of(new InstanceRef(7, d.toString()))));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(Optional.of("7 1"), ScriptOutput.parse(r.stdout()).loose("stopped"), "pg_ctl's failure is reported");
        assertTrue(live.isAlive());
    }

    @Test
    void awaitStopsAtOnceAndReportsOnceAnInstanceThatLeavesRecovery() throws IOException {
        assumeTrue(OsUser.isRoot(), "as root pg_ctl refuses at once; as anyone else it would signal the stand-in process");
        Path unsignalled = parkedCopy("a " + NASTY);
        Files.delete(unsignalled.resolve("standby.signal"));
        Path newTimeline = parkedCopy("b " + NASTY);
        Path fine = parkedCopy("c " + NASTY);
        running(unsignalled);
        Process first = live;
        running(newTimeline);
        Process second = live;
        running(fine);
        try {
            CommandResult r = run(HostScripts.await(PG_BIN, "rp1", List.of(plan(0, unsignalled, "rp1", "0/9000000", 2),
                    plan(1, newTimeline, "rp1", "0/9000000", 1), plan(2, fine, "rp1", "0/9000000", 2)), List.of(), 2));
            assertTrue(r.ok(), r.stderr());
            String pgCtl = "stopped at once (pg_ctl stop -m immediate, exit 1); PostgreSQL now reads recovery_target_action = '', "
                    + "promote_trigger_file = '' (or pg_ctl promote / promote.signal)";
            assertEquals(Optional.of("0 standby.signal was removed; " + pgCtl + "\n1 timeline history 00000002.history appeared "
                    + "(target timeline 1); " + pgCtl), ScriptOutput.parse(r.stdout()).loose("promoted"));
        } finally {
            first.destroyForcibly();
            second.destroyForcibly();
        }
    }

    @Test
    void anAdoptedInstanceIsReportedWithTheEvidenceOfItsNewestStartTowardsTheTarget() throws IOException {
        Path d = parkedCopy(NASTY);
        Path logs = Files.createDirectories(d.resolve("log"));
        Files.writeString(logs.resolve("whpg_dr_sync-rp1-1700000000000.log"), "LOG:  recovery stopping before WAL location (LSN) \"0/1\"\n");
        Files.writeString(logs.resolve("whpg_dr_sync-rp1-1700000009000.log"), "LOG:  recovery stopping before WAL location (LSN) \"0/9000000\"\n");
        Files.writeString(logs.resolve("whpg_dr_sync-rp2-1700000099000.log"), "LOG:  recovery stopping before WAL location (LSN) \"0/2\"\n");
        CommandResult r = run(HostScripts.await(PG_BIN, "rp1", List.of(), List.of(new InstanceRef(4, d.toString())), 5));
        assertTrue(r.ok(), r.stderr());
        ScriptOutput.Block b = ScriptOutput.parse(r.stdout()).block(4).orElseThrow();
        assertEquals(List.of("LOG:  recovery stopping before WAL location (LSN) \"0/9000000\""), b.log());
        assertTrue(b.has("standby_signal"));
        assertFalse(b.has("running"));
    }

    @Test
    void settleReportsAServerThatStoppedByItselfAndFastStopsNothingElse() throws IOException {
        Path gone = parkedCopy("gone");
        Path none = parkedCopy(NASTY);
        CommandResult r = run(HostScripts.settle(PG_BIN, List.of(new InstanceRef(0, gone.toString()),
                new InstanceRef(1, none.toString())), 5));
        assertTrue(r.ok(), r.stderr());
        assertEquals(Optional.of("0 exited\n1 exited"), ScriptOutput.parse(r.stdout()).loose("settled"));
    }

    @Test
    void theProbeNamesTheTargetARunningServerWasStartedTowards() throws IOException {
        Path d = parkedCopy(NASTY);
        running(d);
        Files.writeString(d.resolve("postmaster.opts"), PG_BIN + "/postgres \"-D\" \"" + d + "\" \"-c\" \"port=5432\" "
                + "\"-c\" \"" + HostScripts.TARGET_OPTION + "=sync_point_20260201_181406\"\n");
        CommandResult r = run(HostScripts.probe(PG_BIN, List.of(new InstanceRef(0, d.toString()))));
        InstanceProbe p = InstanceProbe.from(0, ScriptOutput.parse(r.stdout()).block(0).orElseThrow());
        assertEquals("sync_point_20260201_181406", p.startedFor());
        assertTrue(p.runningStandbyOfTheTool());
    }
}
