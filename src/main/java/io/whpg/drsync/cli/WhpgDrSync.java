package io.whpg.drsync.cli;

import io.whpg.drsync.config.ConfigException;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.ops.ToolHome;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
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
            cmd.getErr().println("whpg_dr_sync: " + userMessage(ex));
            return FAILED;
        });
        return cl;
    }

    /**
     * One line for a user: Camel's wrappers ("Failed to create route ... because: ...") are peeled down to the cause
     * that says what is wrong, named after the route it stopped and, for a route of routes/*.yaml, its file and line.
     */
    static String userMessage(Throwable ex) {
        String where = null;
        Throwable t = ex;
        while (t.getCause() != null && t.getClass().getName().startsWith("org.apache.camel.")) {
            if (where == null && t instanceof FailedToCreateRouteException f) {
                where = routeAndLocation(f.getRouteId(), f.getLocation());
            } else if (where == null && t instanceof FailedToStartRouteException f) {
                where = routeAndLocation(f.getRouteId(), f.getLocation());
            }
            t = t.getCause();
        }
        String what = t.getMessage() == null ? t.getClass().getSimpleName()
                : t.getMessage().lines().findFirst().orElse(t.getClass().getSimpleName());
        return where == null ? what : where + ": " + what;
    }

    private static String routeAndLocation(String routeId, String location) {
        return "route " + routeId + (location == null || location.endsWith(".java") ? "" : " (" + location + ")");
    }

    public static void main(String[] args) {
        ToolHome.init(args);
        System.exit(commandLine().execute(args));
    }
}
