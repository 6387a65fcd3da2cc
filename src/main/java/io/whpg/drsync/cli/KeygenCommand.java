package io.whpg.drsync.cli;

import io.whpg.drsync.state.AtomicFiles;
import io.whpg.drsync.state.ManifestKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keygen --out FILE}: the publisher's Ed25519 manifest signing key (0600, never overwritten) and FILE.pub. */
@Command(name = "keygen", description = "Write a new Ed25519 key pair for signing manifests: FILE (private, 0600, created "
        + "exclusively, never overwritten) and FILE.pub; prints the config lines to add.")
final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The private key file to create.")
    Path out;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path key = out.toAbsolutePath().normalize();
        Path pub = ManifestKeys.publicOf(key);
        try {
            ManifestKeys.create(key);
        } catch (FileAlreadyExistsException e) {
            err.println("whpg_dr_sync: keygen: " + e.getFile() + " already exists; never overwritten (choose another --out)");
            err.flush();
            return WhpgDrSync.USAGE;
        } catch (IOException e) {
            err.println("whpg_dr_sync: keygen: cannot create " + key + ": " + AtomicFiles.reason(e));
            err.flush();
            return WhpgDrSync.FAILED;
        }
        o.println("wrote " + key + " (private, 0600) and " + pub + " (public)");
        o.println("publisher config, in \"storage\":  \"signing_key\": \"" + key + "\"");
        o.println("DR config, in \"storage\":         \"verify_key\": \"" + pub + "\"  (copy " + pub.getFileName()
                + " to the DR host; the private key stays on the publisher)");
        o.flush();
        return WhpgDrSync.OK;
    }
}
