package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.dr.EffectiveSettings;
import io.whpg.drsync.dr.HostScripts;
import io.whpg.drsync.dr.PlannedStart;
import io.whpg.drsync.dr.RecoveryTargetFile;
import io.whpg.drsync.dr.ScriptOutput;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.LocalHostShell;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.pg.Lsn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The prepare step against a real PostgreSQL 15 data directory made by initdb, run as its owner {@code postgres}
 * as the tool runs it: recovery settings from outside the tool are found by asking PostgreSQL ({@code postgres -C})
 * wherever they hide, and an odd postgresql.conf is refused before anything changes. The same check on a real
 * Greenplum 7 DR copy proves {@code postgres -C} works on its PostgreSQL 12 base, and a real promotion of a Greenplum
 * 7 copy during the wait is caught by the await script.
 */
class RecoverySettingsIT {
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";
    private static final String USER = "postgres";
    private static final String POINT = "sync_point_20261205_140000";
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static Path root;
    private static Path pristine;
    private Path dir;

    @BeforeAll
    static void initdb() throws Exception {
        root = Files.createTempDirectory("harden-settings-");
        sh(null, "chown " + USER + " " + root + " && chmod 755 " + root);
        pristine = root.resolve("pristine");
        sh(USER, PG_BIN + "/initdb -D " + pristine + " >/dev/null && touch " + pristine + "/standby.signal"
                + " && printf \"restore_command = 'cp /nonexistent/%%f %%p'\\n\" >> " + pristine + "/postgresql.conf");
    }

    @AfterAll
    static void cleanUp() {
        sh(null, "rm -rf " + root);
    }

    @BeforeEach
    void freshCopy() {
        dir = root.resolve("copy-" + System.nanoTime());
        sh(USER, "cp -a " + pristine + " " + dir);
    }

    private static CommandResult sh(String user, String script) {
        CommandResult r = ProcessRunner.run(List.of("sh", "-c", script), user, BOUND);
        assertTrue(r.ok(), script + ": " + r.stdout() + r.stderr());
        return r;
    }

    private static PlannedStart plan(Path dataDir) {
        Lsn lsn = Lsn.parse("0/3000028");
        return new PlannedStart(0, dataDir.toString(), 5499, RecoveryTargetFile.render(POINT, lsn, 1, Instant.EPOCH),
                RecoveryTargetFile.settings(lsn, 1), dataDir + "/log/x.log");
    }

    /** What the tool runs in the prepare step, as the instance's owner. */
    private static CommandResult prepare(String pgBin, String user, Path dataDir) {
        List<PlannedStart> plans = List.of(plan(dataDir));
        return new LocalHostShell(user).run(HostScripts.prepare(plans) + EffectiveSettings.check(pgBin, POINT, plans), BOUND);
    }

    private static String refusal(CommandResult r) {
        assertEquals(3, r.exitCode(), r.stdout() + r.stderr());
        return ScriptOutput.parse(r.stdout()).loose("refused").orElseThrow();
    }

    private void append(String file, String text) {
        sh(USER, "printf '%s\\n' \"$1\" >> " + dir.resolve(file), text);
    }

    private static CommandResult sh(String user, String script, String arg) {
        CommandResult r = ProcessRunner.run(List.of("sh", "-c", script, "sh", arg), user, BOUND);
        assertTrue(r.ok(), script + ": " + r.stdout() + r.stderr());
        return r;
    }

    @Test
    void aPlainCopyPassesWithTheToolsOwnCommandLineOverridingArchiveMode() {
        append("postgresql.auto.conf", "archive_mode = 'on'");
        CommandResult r = prepare(PG_BIN, USER, dir);
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertEquals(Optional.of("0"), ScriptOutput.parse(r.stdout()).loose("settings_ok"));
    }

    @Test
    void anUpperCaseActionInPostgresqlAutoConfIsRefusedNamingFileAndLine() {
        append("postgresql.auto.conf", "RECOVERY_TARGET_ACTION = 'promote'");
        String why = refusal(prepare(PG_BIN, USER, dir));
        assertEquals("0: recovery_target_action is 'promote' for PostgreSQL (set at " + dir + "/postgresql.auto.conf:3: "
                + "RECOVERY_TARGET_ACTION = 'promote'), not 'shutdown' as the tool wrote it in whpg_dr_sync.recovery.conf: "
                + "recovery could end other than by shutting down at the target", why);
    }

    @Test
    void aLineAfterTheToolsIncludeWinsAndIsRefused() {
        assertEquals(0, prepare(PG_BIN, USER, dir).exitCode());
        append("postgresql.conf", "recovery_target_action='promote'");
        long line = lines(dir.resolve("postgresql.conf"));
        String why = refusal(prepare(PG_BIN, USER, dir));
        assertTrue(why.startsWith("0: recovery_target_action is 'promote' for PostgreSQL (set at " + dir
                + "/postgresql.conf:" + line + ": recovery_target_action='promote')"), why);
    }

    @Test
    void settingsInIncludeIncludeDirAndIncludeIfExistsFilesAreFound() {
        assertEquals(0, prepare(PG_BIN, USER, dir).exitCode());
        sh(USER, "mkdir " + dir.resolve("conf.d") + " && echo 'Recovery_Target_Inclusive = on' > " + dir.resolve("conf.d/10-dr.conf")
                + " && echo \"Recovery_Target_Timeline 'latest'\" > " + dir.resolve("extra.conf")
                + " && echo \"promote_trigger_file = '/tmp/promote-me'\" > " + dir.resolve("maybe.conf"));
        append("postgresql.conf", "include_dir 'conf.d'");
        String why = refusal(prepare(PG_BIN, USER, dir));
        assertTrue(why.startsWith("0: recovery_target_inclusive is 'on' for PostgreSQL (set at conf.d/10-dr.conf:1: "
                .replace("conf.d", dir + "/conf.d")), why);

        sh(USER, ": > " + dir.resolve("conf.d/10-dr.conf"));
        append("postgresql.conf", "include = 'extra.conf'");
        why = refusal(prepare(PG_BIN, USER, dir));
        assertTrue(why.startsWith("0: recovery_target_timeline is 'latest' for PostgreSQL (set at " + dir + "/extra.conf:1: "), why);
        // a second target kind: PostgreSQL's own parser refuses it, and so does the check
        sh(USER, "echo \"recovery_target_name 'other'\" > " + dir.resolve("extra.conf"));
        assertTrue(refusal(prepare(PG_BIN, USER, dir)).endsWith("FATAL:  multiple recovery targets specified"));

        sh(USER, ": > " + dir.resolve("extra.conf"));
        append("postgresql.auto.conf", "include_if_exists = 'maybe.conf'");
        why = refusal(prepare(PG_BIN, USER, dir));
        assertTrue(why.startsWith("0: promote_trigger_file is '/tmp/promote-me' for PostgreSQL (set at " + dir
                + "/maybe.conf:1: "), why);
    }

    @Test
    void aBrokenIncludeIsRefusedWithPostgresqlsOwnMessage() {
        append("postgresql.conf", "include_dir 'conf.d'");
        String why = refusal(prepare(PG_BIN, USER, dir));
        assertTrue(why.startsWith("0: postgres -C recovery_target failed: "), why);
        assertTrue(why.endsWith("could not open configuration directory \"" + dir + "/conf.d\": No such file or directory"), why);
    }

    @Test
    void everyInstanceOfAHostIsCheckedAndEachRefusalNamed() {
        Path second = root.resolve("copy-second-" + System.nanoTime());
        sh(USER, "cp -a " + pristine + " " + second);
        append("postgresql.auto.conf", "recovery_target_action = 'pause'");
        sh(USER, "echo \"recovery_target_action = 'promote'\" >> " + second.resolve("postgresql.auto.conf"));
        Lsn lsn = Lsn.parse("0/3000028");
        List<PlannedStart> plans = List.of(plan(dir), new PlannedStart(1, second.toString(), 5498,
                RecoveryTargetFile.render(POINT, lsn, 1, Instant.EPOCH), RecoveryTargetFile.settings(lsn, 1), second + "/log/x.log"));
        CommandResult r = new LocalHostShell(USER).run(HostScripts.prepare(plans) + EffectiveSettings.check(PG_BIN, POINT, plans), BOUND);
        String both = refusal(r);
        assertTrue(both.lines().anyMatch(l -> l.startsWith("0: recovery_target_action is 'pause' ")), both);
        assertTrue(both.lines().anyMatch(l -> l.startsWith("1: recovery_target_action is 'promote' ")), both);
    }

    @Test
    void anEmptyRestoreCommandIsRefused() {
        append("postgresql.auto.conf", "restore_command = ''");
        assertTrue(refusal(prepare(PG_BIN, USER, dir)).startsWith("0: restore_command is empty for PostgreSQL (set at "
                + dir + "/postgresql.auto.conf:3: "));
    }

    @Test
    void anUnreadableSymlinkedOrOddPostgresqlConfIsRefusedAndNothingChanges() throws Exception {
        Path conf = dir.resolve("postgresql.conf");
        byte[] before = Files.readAllBytes(conf);
        sh(null, "chown root " + conf + " && chmod 600 " + conf);
        assertEquals("0: postgresql.conf is not readable by postgres", refusal(prepare(PG_BIN, USER, dir)));
        assertUnchanged(before);

        sh(null, "mv " + conf + " " + dir.resolve("real.conf") + " && ln -s real.conf " + conf);
        assertEquals("0: postgresql.conf is a symlink: the tool does not rewrite a file elsewhere",
                refusal(prepare(PG_BIN, USER, dir)));
        assertTrue(Files.isSymbolicLink(conf));
        assertFalse(Files.exists(dir.resolve(HostScripts.RECOVERY_CONF)));

        sh(null, "rm " + conf + " && mkfifo " + conf + " && chown postgres " + conf);
        assertEquals("0: postgresql.conf is not a regular file", refusal(prepare(PG_BIN, USER, dir)));
        sh(null, "rm " + conf + " && mv " + dir.resolve("real.conf") + " " + conf + " && chown postgres " + conf);

        sh(null, "chmod 555 " + dir);
        assertEquals("0: the data directory is not writable by postgres", refusal(prepare(PG_BIN, USER, dir)));
        sh(null, "chmod 700 " + dir);
        assertUnchanged(before);
    }

    @Test
    void aSymlinkedRecoveryFileIsRefusedAndItsTargetUntouched() throws Exception {
        Path victim = root.resolve("victim-" + System.nanoTime());
        Files.writeString(victim, "root's file\n");
        sh(null, "chown postgres " + victim);
        sh(USER, "ln -s " + victim + " " + dir.resolve(HostScripts.RECOVERY_CONF));
        assertEquals("0: whpg_dr_sync.recovery.conf is a symlink or not a regular file", refusal(prepare(PG_BIN, USER, dir)));
        assertEquals("root's file\n", Files.readString(victim));
    }

    @Test
    void theIncludeRewriteKeepsEveryByteAndLeavesNoTempOrBackupFile() throws Exception {
        byte[] before = Files.readAllBytes(dir.resolve("postgresql.conf"));
        assertEquals(0, prepare(PG_BIN, USER, dir).exitCode());
        byte[] after = Files.readAllBytes(dir.resolve("postgresql.conf"));
        assertEquals(new String(before, java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(after, 0, before.length, java.nio.charset.StandardCharsets.ISO_8859_1));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList());
        }
    }

    private void assertUnchanged(byte[] confBefore) throws Exception {
        Path conf = dir.resolve("postgresql.conf");
        if (Files.isRegularFile(conf) && !Files.isSymbolicLink(conf)) {
            assertEquals(new String(confBefore), new String(Files.readAllBytes(conf)));
        }
        assertFalse(Files.exists(dir.resolve(HostScripts.RECOVERY_CONF)));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList());
        }
    }

    private static long lines(Path p) {
        try {
            return Files.readAllLines(p).size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** On a real Greenplum 7 DR copy (PostgreSQL 12 base, run as its owner): the same refusal. */
    @Test
    @ExtendWith(GreenplumCondition.class)
    void onGreenplum7PostgresDashCSeesTheSameSettings() throws Exception {
        try (GreenplumLab lab = GreenplumLab.up(1)) {
            Path copy = lab.drDataDir(0);
            String bin = lab.pgBin().toString();
            CommandResult ok = prepare(bin, lab.user(), copy);
            assertEquals(0, ok.exitCode(), ok.stdout() + ok.stderr());
            assertEquals(Optional.of("0"), ScriptOutput.parse(ok.stdout()).loose("settings_ok"));
            ProcessRunner.run(List.of("sh", "-c", "echo \"RECOVERY_TARGET_ACTION = 'promote'\" >> " + copy + "/postgresql.auto.conf"),
                    lab.user(), BOUND);
            String why = refusal(prepare(bin, lab.user(), copy));
            assertTrue(why.startsWith("0: recovery_target_action is 'promote' for PostgreSQL (set at " + copy
                    + "/postgresql.auto.conf:"), why);
        }
    }

    /**
     * On Greenplum 7 (PostgreSQL 12, which still promotes a standby whose recovery target is not reached): a DR copy
     * prepared and started by the tool's own scripts is promoted with {@code pg_ctl promote} while the await script
     * waits for it; the wait stops it at once and reports it as promoted.
     */
    @Test
    @ExtendWith(GreenplumCondition.class)
    void onGreenplum7APromotionDuringTheWaitIsStoppedAtOnce() throws Exception {
        try (GreenplumLab lab = GreenplumLab.up(1)) {
            Path copy = lab.drDataDir(0);
            String bin = lab.pgBin().toString();
            Lsn far = Lsn.parse("F/0");
            PlannedStart p = new PlannedStart(0, copy.toString(), lab.drPort(0), RecoveryTargetFile.render(POINT, far, 1, Instant.EPOCH),
                    RecoveryTargetFile.settings(far, 1), copy + "/log/whpg_dr_sync-" + POINT + "-1.log");
            LocalHostShell shell = new LocalHostShell(lab.user());
            CommandResult prepared = shell.run(HostScripts.prepare(List.of(p)) + EffectiveSettings.check(bin, POINT, List.of(p)), BOUND);
            assertEquals(0, prepared.exitCode(), prepared.stdout() + prepared.stderr());
            CommandResult started = shell.run(HostScripts.start(bin, POINT, List.of(p)), BOUND);
            assertTrue(started.ok(), started.stdout() + started.stderr());
            java.util.concurrent.CompletableFuture<CommandResult> promote = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                // promoted once it is replaying (a loaded machine may take a while to get there), while the wait runs
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!lab.run("pg_controldata", "-D", copy.toString()).stdout().contains("in archive recovery")
                        && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                return lab.run("pg_ctl", "promote", "-W", "-D", copy.toString());
            });
            CommandResult awaited = shell.run(HostScripts.await(bin, POINT, List.of(p), List.of(), 60), Duration.ofSeconds(90));
            assertTrue(promote.get().ok());
            ScriptOutput out = ScriptOutput.parse(awaited.stdout());
            String why = out.loose("promoted").orElseThrow(() -> new AssertionError("no promoted line: " + awaited.stdout()));
            assertTrue(why.startsWith("0 standby.signal was removed"), why);
            assertTrue(why.contains("stopped at once (pg_ctl stop -m immediate, exit 0); PostgreSQL now reads "
                    + "recovery_target_action = 'shutdown'"), why);
            assertFalse(out.block(0).orElseThrow().has("running"), awaited.stdout());
        }
    }
}
