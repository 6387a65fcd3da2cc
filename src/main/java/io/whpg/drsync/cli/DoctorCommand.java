package io.whpg.drsync.cli;

import io.whpg.drsync.config.ConfigException;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.ops.doctor.Check;
import io.whpg.drsync.ops.doctor.Doctor;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code whpg_dr_sync doctor}: one line per check, PASS or FAIL with the fix; exit 1 when anything fails. */
@Command(name = "doctor", aliases = "check", description = "Check the setup a cycle needs (config, primary, archive,"
        + " DR hosts and instances, free disk): one line per check, PASS or FAIL with the fix; exit 1 on any failure.")
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--role", paramLabel = "ROLE", description = "primary or dr (default: both)")
    Doctor.Role role;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        WhpgDrSync root = (WhpgDrSync) spec.root().userObject();
        try {
            DrSyncConfig cfg;
            try {
                cfg = root.loadConfig(spec.commandLine().getErr());
            } catch (ConfigException e) {
                out.println(Check.fail("config", e.getMessage(), "correct the file (README: Configuration reference)").line());
                return WhpgDrSync.FAILED;
            }
            List<Check> checks = Doctor.run(cfg, role);
            checks.forEach(c -> out.println(c.line()));
            long failed = checks.stream().filter(c -> !c.ok()).count();
            out.println(failed == 0 ? "all " + checks.size() + " checks passed" : failed + " of " + checks.size() + " checks failed");
            return failed == 0 ? WhpgDrSync.OK : WhpgDrSync.FAILED;
        } finally {
            out.flush();
        }
    }
}
