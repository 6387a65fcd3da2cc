package io.whpg.drsync.cli;

import io.whpg.drsync.app.DrSyncRuntime;
import io.whpg.drsync.app.StatusReport;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.ops.FileFigures;
import java.time.Clock;
import io.whpg.drsync.route.PublishRoute;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "primary", description = "The publisher: restore points and manifests on the primary cluster.",
        subcommands = {PrimaryCommand.Run.class, PrimaryCommand.Status.class})
final class PrimaryCommand extends GroupCommand {

    @Command(name = "run", description = "Create a restore point, wait for its WAL to be archived, publish the manifest; "
            + "every behavior.publisher_sleep_secs, or once.")
    static final class Run extends Leaf {
        @Option(names = "--once", description = "Publish one restore point and exit: 0 READY, 1 not.")
        boolean once;

        @Option(names = "--no-switch-wal", description = "Do not force a WAL switch: READY waits until the files are archived on their own.")
        boolean noSwitchWal;

        @picocli.CommandLine.Mixin
        ObserveOptions observe = new ObserveOptions();

        @Override
        int run(DrSyncConfig cfg) throws Exception {
            return runRole(cfg, DrSyncRuntime.Role.PRIMARY, once, Map.of(PublishRoute.NO_SWITCH_WAL, noSwitchWal), observe);
        }
    }

    @Command(name = "status", description = "LATEST.json and the newest manifests with their readiness.")
    static final class Status extends Leaf {
        @Option(names = "--format", defaultValue = "table",
                description = "table, json, or prometheus (text for node_exporter's textfile collector)")
        StatusReport.Format format;

        @Option(names = "--limit", defaultValue = "10", description = "How many manifests to list.")
        int limit;

        @Override
        int run(DrSyncConfig cfg) throws Exception {
            out().print(format == StatusReport.Format.prometheus ? FileFigures.prometheusText(cfg, false, Clock.systemUTC())
                    : StatusReport.primary(cfg, limit).render(format));
            return WhpgDrSync.OK;
        }
    }
}
