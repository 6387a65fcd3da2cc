package io.whpg.drsync.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;

/**
 * Who may use /observe/jolokia. The access policy (config/jolokia-access.xml, built into the jar) is always
 * on; HTTP basic authentication is added when {@link #ENV} holds {@code user:password}. The credentials go
 * to a file only this process's user can read, in a directory created for it, removed at exit.
 */
public final class ObserveAccess {
    public static final String ENV = "WHPG_OBSERVE_BASIC_AUTH";
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private ObserveAccess() {
    }

    /** Turns basic auth on for the Jolokia path when the environment asks for it; a malformed value is refused. */
    public static void configure(HttpManagementServerConfigurationProperties server, String jolokiaPath, Map<String, String> env) {
        String value = env.get(ENV);
        if (value == null || value.isEmpty()) {
            return;
        }
        int colon = value.indexOf(':');
        String user = colon < 0 ? "" : value.substring(0, colon);
        String password = colon < 0 ? "" : value.substring(colon + 1);
        if (!USER.matcher(user).matches()) {
            throw new IllegalArgumentException(ENV + ": expected USER:PASSWORD with USER of letters, digits, '.', '_', '-'");
        }
        // the credentials file is read line by line, fields split on ',' and trimmed
        if (password.isEmpty() || !password.equals(password.strip()) || password.chars().anyMatch(c -> c == ',' || c < 0x20)) {
            throw new IllegalArgumentException(ENV + ": the password must be non-empty, without ',', control characters,"
                    + " or leading/trailing spaces");
        }
        server.withAuthenticationEnabled(true).withAuthenticationPath(jolokiaPath + "/*")
                .withAuthenticationRealm("whpg-dr-sync").withBasicPropertiesFile(credentialsFile(user, password).toString());
    }

    private static Path credentialsFile(String user, String password) {
        try {
            Path dir = Files.createTempDirectory("whpg-observe-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve("users.properties");
            Files.writeString(file, "user." + user + "=" + password + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            dir.toFile().deleteOnExit(); // removed last: deleteOnExit runs in reverse order
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the observe credentials file: " + e.getMessage(), e);
        }
    }
}
