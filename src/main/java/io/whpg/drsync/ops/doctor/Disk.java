package io.whpg.drsync.ops.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free space under a path the tool writes to (the nearest existing ancestor when it is not created yet). */
final class Disk {
    static final long MIN_FREE_BYTES = 512L * 1024 * 1024;

    private Disk() {
    }

    static Check free(String what, Path path) {
        String name = "free disk " + what;
        Path p = path.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return Check.fail(name, path + ": no existing directory on that path", "create " + path);
        }
        try {
            long free = Files.getFileStore(p).getUsableSpace();
            String detail = path + ": " + free / (1024 * 1024) + " MiB free";
            return free >= MIN_FREE_BYTES ? Check.pass(name, detail)
                    : Check.fail(name, detail + " (under " + MIN_FREE_BYTES / (1024 * 1024) + " MiB)",
                    "free space on that filesystem (for manifests and receipts: storage.keep prunes old ones)");
        } catch (IOException e) {
            return Check.fail(name, path + ": " + e.getMessage(), "make " + path + " readable by this user");
        }
    }
}
