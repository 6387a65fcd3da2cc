package io.whpg.drsync.cli;

import io.whpg.drsync.sandbox.GpForm;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sandbox", description = "A real local cluster to try the tool on: a coordinator and N segments "
        + "from the installed PostgreSQL, the Greenplum SQL interface emulated, and a stopped DR copy of each, "
        + "local or behind private SSH hosts.",
        subcommands = {SandboxCommand.Up.class, SandboxCommand.Status.class, SandboxCommand.Down.class})
final class SandboxCommand extends GroupCommand {

    abstract static class DirCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The sandbox directory.")
        Path dir;

        Path absDir() {
            return dir.toAbsolutePath().normalize();
        }

        /** The sandbox at --dir, or null after printing the one-line error. */
        Sandbox existing() throws java.io.IOException {
            if (!Files.isDirectory(absDir())) {
                spec.commandLine().getErr().println("whpg_dr_sync: --dir: no sandbox at " + absDir());
                return null;
            }
            return Sandbox.open(absDir());
        }
    }

    @Command(name = "up", description = "Build and start the sandbox, and write DIR/dr_sync_config.json.")
    static final class Up extends DirCommand {
        @Option(names = "--segments", defaultValue = "2", description = "Segment instances besides the coordinator (default 2).")
        int segments;

        @Option(names = "--wal-segment-mb", defaultValue = "16", description = "WAL segment size: 16 (PostgreSQL) or 64 (WHPG).")
        int walSegmentMb;

        @Option(names = "--gp-form", defaultValue = "OUT_PARAMS",
                description = "How gp_create_restore_point is declared: OUT_PARAMS or SETOF_RECORD.")
        GpForm gpForm;

        @Option(names = "--no-gp-switch-wal", description = "Emulate a build without gp_switch_wal().")
        boolean noGpSwitchWal;

        @Option(names = "--hosts", paramLabel = "H", defaultValue = "0",
                description = "Put the DR copies behind H private OpenSSH servers on 127.0.0.2 .. 127.0.0.(H+1), "
                        + "round-robin, coordinator on the first; the config then reaches them over SSH with "
                        + "host-key checking (DIR/ssh/known_hosts). 0 (default): every DR copy is local.")
        int hosts;

        @Override
        public Integer call() throws Exception {
            SandboxOptions options;
            try {
                options = new SandboxOptions(segments, walSegmentMb, gpForm, !noGpSwitchWal, hosts);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("whpg_dr_sync: " + e.getMessage());
                return WhpgDrSync.USAGE;
            }
            Sandbox sb = Sandbox.up(absDir(), options);
            spec.commandLine().getOut().print(sb.status().toTable());
            spec.commandLine().getOut().println("config: " + sb.configFile());
            return WhpgDrSync.OK;
        }
    }

    @Command(name = "status", description = "Show the sandbox's instances (running primaries, stopped DR copies) and SSH hosts.")
    static final class Status extends DirCommand {
        @Override
        public Integer call() throws Exception {
            Sandbox sb = existing();
            if (sb == null) {
                return WhpgDrSync.USAGE;
            }
            spec.commandLine().getOut().print(sb.status().toTable());
            spec.commandLine().getOut().flush();
            return WhpgDrSync.OK;
        }
    }

    @Command(name = "down", description = "Stop every process the sandbox started, sshd servers too (the files stay).")
    static final class Down extends DirCommand {
        @Override
        public Integer call() throws Exception {
            Sandbox sb = existing();
            if (sb == null) {
                return WhpgDrSync.USAGE;
            }
            sb.down();
            spec.commandLine().getOut().println("sandbox at " + absDir() + " is down");
            return WhpgDrSync.OK;
        }
    }
}
