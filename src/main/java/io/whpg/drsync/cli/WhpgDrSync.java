package io.whpg.drsync.cli;

import io.whpg.drsync.config.ConfigException;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.ops.ToolHome;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code whpg_dr_sync}: the command tree. Exit codes: 0 ok, 1 failed cycle, 2 bad usage or config. */
@Command(name = "whpg_dr_sync", mixinStandardHelpOptions = true, version = "whpg_dr_sync 0.1.0",
        description = "Keeps the DR copy of a Greenplum 7 / WarehousePG cluster parked at a cluster-wide restore point.",
        subcommands = {PrimaryCommand.class, DrCommand.class, DoctorCommand.class, SandboxCommand.class,
                KeygenCommand.class},
        scope = ScopeType.INHERIT)
public final class WhpgDrSync implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The JSON configuration (both roles read the same file).")
    Path config;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Loads and validates the config; warnings go to stderr, errors become {@link ConfigException}. */
    DrSyncConfig loadConfig(PrintWriter err) throws ConfigException {
        if (config == null) {
            throw new ConfigException("--config FILE is required");
        }
        DrSyncConfig cfg = ConfigLoader.load(config);
        cfg.warnings().forEach(w -> err.println("warning: " + w));
        err.flush();
        return cfg;
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new WhpgDrSync());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("whpg_dr_sync: " + ex.getMessage());
            return FAILED;
        });
        return cl;
    }

    public static void main(String[] args) {
        ToolHome.init(args);
        System.exit(commandLine().execute(args));
    }
}
