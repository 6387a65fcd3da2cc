package io.whpg.drsync.cli;

import io.whpg.drsync.app.DrSyncRuntime;
import io.whpg.drsync.app.StatusReport;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.ops.FileFigures;
import java.time.Clock;
import io.whpg.drsync.route.ConsumeSteps;
import io.whpg.drsync.state.ManifestException;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.RestorePointName;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dr", description = "The consumer: parks every DR instance at a published restore point.",
        subcommands = {DrCommand.Run.class, DrCommand.Status.class})
final class DrCommand extends GroupCommand {

    @Command(name = "run", description = "Move every DR instance to the newest usable READY restore point and verify it; "
            + "every behavior.consumer_sleep_secs, or once.")
    static final class Run extends Leaf {
        @Option(names = "--once", description = "One cycle, then exit: 0 advanced or nothing to do, 1 failed.")
        boolean once;

        @Option(names = "--target", paramLabel = "NAME", description = "Go to this restore point instead of the newest.")
        String target;

        @picocli.CommandLine.Mixin
        ObserveOptions observe = new ObserveOptions();

        @Override
        int run(DrSyncConfig cfg) throws Exception {
            Map<String, Object> headers = new HashMap<>();
            if (target != null) {
                headers.put(ConsumeSteps.TARGET_HEADER, RestorePointName.validate("--target", target));
            }
            if (!once && target != null) {
                throw new IllegalArgumentException("--target: only with --once (a daemon follows the newest point)");
            }
            if (target != null) {
                // A broken or missing manifest named on the command line is bad input: refused before anything runs.
                try {
                    new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath()).read(target);
                } catch (ManifestException e) {
                    throw new IllegalArgumentException("--target: " + e.getMessage(), e);
                }
            }
            return runRole(cfg, DrSyncRuntime.Role.DR, once, headers, observe);
        }
    }

    @Command(name = "status", description = "Current restore point, latest manifest, per-instance floor and state, receipts.")
    static final class Status extends Leaf {
        @Option(names = "--format", defaultValue = "table",
                description = "table, json, or prometheus (text for node_exporter's textfile collector)")
        StatusReport.Format format;

        @Option(names = "--include-history", description = "List the receipts of earlier cycles too.")
        boolean history;

        @Override
        int run(DrSyncConfig cfg) throws Exception {
            out().print(format == StatusReport.Format.prometheus ? FileFigures.prometheusText(cfg, true, Clock.systemUTC())
                    : StatusReport.dr(cfg, history ? 20 : 1).render(format));
            return WhpgDrSync.OK;
        }
    }
}
