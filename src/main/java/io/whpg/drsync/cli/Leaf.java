package io.whpg.drsync.cli;

import io.whpg.drsync.app.DrSyncRuntime;
import io.whpg.drsync.config.ConfigException;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.exec.OsUser;
import io.whpg.drsync.ops.ToolHome;
import io.whpg.drsync.state.SharedDirs;
import java.io.PrintWriter;
import io.whpg.drsync.route.CycleOutcome;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A runnable subcommand: config loading with one-line errors and exit code 2, output streams picocli owns. */
abstract class Leaf implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    WhpgDrSync root() {
        return (WhpgDrSync) spec.root().userObject();
    }

    /** Where user extension routes live: {@code routes/} in the install directory ({@link ToolHome}). */
    static Path routesDir() {
        return ToolHome.get().map(h -> h.resolve("routes")).orElse(null);
    }

    @Override
    public final Integer call() throws Exception {
        DrSyncConfig cfg;
        try {
            cfg = root().loadConfig(err());
        } catch (ConfigException e) {
            err().println("whpg_dr_sync: " + e.getMessage());
            return WhpgDrSync.USAGE;
        }
        try {
            return run(cfg);
        } catch (IllegalArgumentException e) {
            err().println("whpg_dr_sync: " + e.getMessage());
            return WhpgDrSync.USAGE;
        } finally {
            out().flush();
            err().flush();
        }
    }

    abstract int run(DrSyncConfig cfg) throws Exception;

    /** The directories a role writes to, by the setting that names them. */
    static List<SharedDirs.Setting> writtenDirs(DrSyncConfig cfg, DrSyncRuntime.Role role) {
        if (role == DrSyncRuntime.Role.PRIMARY) {
            return List.of(new SharedDirs.Setting("storage.manifest_dir", cfg.storage().manifestDir()),
                    new SharedDirs.Setting("storage.latest_path", cfg.storage().latestPath().toAbsolutePath().getParent()));
        }
        return List.of(new SharedDirs.Setting("dr.state_dir", cfg.dr().stateDir()),
                new SharedDirs.Setting("dr.receipts_dir", cfg.dr().receiptsDir()),
                new SharedDirs.Setting("dr.lock_dir", Path.of(cfg.dr().lockDir())));
    }

    /** A role's daemon until SIGTERM, or one cycle with its outcome printed (and the file it wrote). */
    int runRole(DrSyncConfig cfg, DrSyncRuntime.Role role, boolean once, Map<String, Object> headers,
                ObserveOptions observe) throws Exception {
        observe.validate();
        List<String> shared = OsUser.isRoot() ? SharedDirs.problems(writtenDirs(cfg, role)) : List.of();
        if (!shared.isEmpty() && cfg.behavior().refuseSharedDirs()) {
            throw new IllegalArgumentException(shared.get(0) + " (behavior.refuse_shared_dirs is true)");
        }
        shared.forEach(w -> LoggerFactory.getLogger(SharedDirs.class).warn("{} (set behavior.refuse_shared_dirs to refuse)", w));
        try (DrSyncRuntime rt = new DrSyncRuntime(cfg, role, !once, routesDir())) {
            rt.checkBackend();
            if (observe.port != null) {
                rt.observeOn(observe.host, observe.port);
            }
            if (!once) {
                rt.runForever();
                return WhpgDrSync.OK;
            }
            CycleOutcome o = rt.runOnce(headers);
            out().println((o.ok() ? "" : "FAILED " + o.status() + ": ") + o.detail());
            if (o.file() != null) {
                out().println((role == DrSyncRuntime.Role.DR ? "receipt: " : "manifest: ") + o.file());
            }
            return o.ok() ? WhpgDrSync.OK : WhpgDrSync.FAILED;
        }
    }
}
