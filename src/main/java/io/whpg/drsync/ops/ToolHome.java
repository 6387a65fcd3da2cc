package io.whpg.drsync.ops;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The install directory, where {@code config/} (application.properties, logback.xml) and {@code routes/} are
 * found: {@code -Dwhpg.home} (what bin/whpg_dr_sync passes), else {@code WHPG_DR_SYNC_HOME}, else the directory
 * holding the jar, so {@code java -jar /opt/whpg-dr-sync/whpg-dr-sync.jar} behaves like the launcher.
 */
public final class ToolHome {
    public static final String PROPERTY = "whpg.home";
    public static final String ENV = "WHPG_DR_SYNC_HOME";
    /** The log file's name (config/logback.xml): the role for the run commands. */
    static final String LOG_NAME = "whpg.log.name";

    private ToolHome() {
    }

    /** Before the first logger: fixes the home and the log file's name for this command line. */
    public static void init(String[] args) {
        if (System.getProperty(PROPERTY) == null) {
            resolve(System.getenv(), jarDirectory()).ifPresent(h -> System.setProperty(PROPERTY, h.toString()));
        }
        if (System.getProperty(LOG_NAME) == null) {
            System.setProperty(LOG_NAME, logName(args));
        }
    }

    public static Optional<Path> get() {
        return Optional.ofNullable(System.getProperty(PROPERTY)).map(Path::of);
    }

    static Optional<Path> resolve(Map<String, String> env, Optional<Path> jarDir) {
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Optional.of(Path.of(fromEnv).toAbsolutePath());
        }
        return jarDir;
    }

    static String logName(String[] args) {
        boolean run = java.util.Arrays.asList(args).contains("run");
        if (run && args.length > 0 && ("primary".equals(args[0]) || "dr".equals(args[0]))) {
            return args[0];
        }
        return "whpg-dr-sync";
    }

    private static Optional<Path> jarDirectory() {
        try {
            Path code = Path.of(ToolHome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(code) ? Optional.ofNullable(code.toAbsolutePath().getParent()) : Optional.empty();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
