package io.whpg.drsync.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What a sandbox sshd's own log says: the server's count of SSH sessions, independent of the client's. */
public final class SshdLogs {
    private SshdLogs() {
    }

    /** Logins the sshd writing {@code log} has accepted for {@code user} (0 if it has not logged yet). */
    public static long acceptedLogins(Path log, String user) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("Accepted publickey for " + user + " ")).count();
        }
    }
}
