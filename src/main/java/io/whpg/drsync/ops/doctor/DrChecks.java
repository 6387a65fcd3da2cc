package io.whpg.drsync.ops.doctor;

import io.whpg.drsync.app.ShellOpener;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.config.Instance;
import io.whpg.drsync.dr.ConsumeCycle;
import io.whpg.drsync.dr.DrHost;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.HostShell;
import io.whpg.drsync.exec.ShellQuote;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The consumer's side: each DR host over SSH (host key checked), and on each DR instance what a cycle needs:
 * its data dir owned by its user, pg_controldata, standby.signal, a restore_command, archive_mode off.
 */
final class DrChecks {
    private DrChecks() {
    }

    static void run(DrSyncConfig cfg, List<Check> out) {
        try {
            new StateStore(cfg.dr().stateDir()).current();
            out.add(Check.pass("state readable", cfg.dr().stateDir().toString()));
        } catch (IOException e) {
            out.add(Check.fail("state readable", PrimaryChecks.oneLine(e), "repair or remove the state file it names"));
        }
        try (ShellOpener opener = new ShellOpener(cfg);
             ConsumeCycle cycle = new ConsumeCycle(cfg, Optional.empty(), opener, Clock.systemUTC())) {
            Map<DrHost, HostShell> shells = new LinkedHashMap<>();
            Map<DrHost, String> unreachable = new HashMap<>();
            for (Instance i : cfg.dr().instances()) {
                DrHost host = cycle.hostOf(i.gpSegmentId());
                if (shells.containsKey(host) || unreachable.containsKey(host)) {
                    continue;
                }
                try {
                    HostShell shell = opener.apply(host);
                    CommandResult r = shell.run("true", Duration.ofSeconds(cfg.ssh().commandTimeoutSecs()));
                    if (r.exitCode() != 0) {
                        throw new IllegalStateException("a shell command failed: " + r.firstErrorLine());
                    }
                    shells.put(host, shell);
                    if (!host.local()) {
                        out.add(Check.pass("ssh " + host.describe(), "logged in, host key known"));
                    }
                } catch (RuntimeException e) {
                    unreachable.put(host, PrimaryChecks.oneLine(e));
                    out.add(Check.fail("ssh " + host.describe(), PrimaryChecks.oneLine(e), "check ssh.identity, ssh.user, the port,"
                            + " and that ssh.known_hosts (" + cfg.ssh().knownHosts() + ") holds the host's key (ssh-keyscan, verified)"));
                }
            }
            for (Instance i : cfg.dr().instances()) {
                DrHost host = cycle.hostOf(i.gpSegmentId());
                if (shells.containsKey(host)) {
                    instance(cfg, i, host, shells.get(host), out);
                }
            }
            shells.values().forEach(HostShell::close);
        }
    }

    private static void instance(DrSyncConfig cfg, Instance i, DrHost host, HostShell shell, List<Check> out) {
        String seg = " seg " + i.gpSegmentId();
        String dir = ShellQuote.quote(i.dataDir());
        String bin = ShellQuote.quote(cfg.dr().pgBin());
        String script = String.join("\n",
                "d=" + dir + "; b=" + bin,
                "if [ -d \"$d\" ]; then echo dir=yes; else echo dir=no; fi",
                "echo owner=$(stat -c %U \"$d\" 2>/dev/null)",
                "if [ -f \"$d/standby.signal\" ]; then echo standby=yes; else echo standby=no; fi",
                "if \"$b/pg_controldata\" \"$d\" > /dev/null 2>&1; then echo controldata=ok;"
                        + " else echo \"controldata=$(\"$b/pg_controldata\" \"$d\" 2>&1 | head -n 1)\"; fi",
                "echo \"restore_command=$(\"$b/postgres\" -D \"$d\" -C restore_command 2>/dev/null)\"",
                "echo \"archive_mode=$(\"$b/postgres\" -D \"$d\" -C archive_mode 2>/dev/null)\"");
        Map<String, String> seen = new HashMap<>();
        try {
            CommandResult r = shell.run(script, Duration.ofSeconds(cfg.ssh().commandTimeoutSecs()));
            r.stdout().lines().filter(l -> l.contains("=")).forEach(l -> seen.put(l.substring(0, l.indexOf('=')),
                    l.substring(l.indexOf('=') + 1)));
        } catch (RuntimeException e) {
            out.add(Check.fail("data dir" + seg, PrimaryChecks.oneLine(e), "check the DR host " + host.describe()));
            return;
        }
        if (!"yes".equals(seen.get("dir"))) {
            out.add(Check.fail("data dir" + seg, i.dataDir() + " missing on " + host.describe() + " (or hidden from " + host.user() + ")",
                    "restore a base backup of the primary instance there, or fix dr.instances[].data_dir / os_user"));
            return;
        }
        String owner = seen.getOrDefault("owner", "?");
        out.add(owner.equals(host.user()) ? Check.pass("data dir" + seg, i.dataDir() + " owned by " + owner)
                : Check.fail("data dir" + seg, i.dataDir() + " owned by " + owner + ", not " + host.user(),
                        "chown -R " + host.user() + " " + i.dataDir() + " (or set dr.instances[].os_user)"));
        String controldata = seen.getOrDefault("controldata", "");
        out.add("ok".equals(controldata) ? Check.pass("pg_controldata" + seg, cfg.dr().pgBin() + "/pg_controldata reads it")
                : Check.fail("pg_controldata" + seg, controldata.isEmpty() ? "did not run" : controldata,
                        "set dr.pg_bin to the directory holding pg_controldata and pg_ctl on the DR hosts"));
        out.add("yes".equals(seen.get("standby"))
                ? Check.pass("standby.signal" + seg, "present")
                : Check.fail("standby.signal" + seg, i.dataDir() + "/standby.signal missing: a start would open the copy read-write",
                        "touch " + i.dataDir() + "/standby.signal as " + host.user()));
        String restore = seen.getOrDefault("restore_command", "");
        out.add(!restore.isBlank() ? Check.pass("restore_command" + seg, "'" + restore + "'")
                : Check.fail("restore_command" + seg, "not set", "set restore_command in " + i.dataDir()
                        + "/postgresql.conf to copy %f from this instance's archive directory"));
        String mode = seen.getOrDefault("archive_mode", "");
        out.add("off".equals(mode) ? Check.pass("archive_mode" + seg, "off")
                : Check.fail("archive_mode" + seg, mode.isEmpty() ? "unknown (postgres -C did not answer)" : mode,
                        "set archive_mode = off in " + i.dataDir() + "/postgresql.conf: a DR copy must not archive"));
    }
}
