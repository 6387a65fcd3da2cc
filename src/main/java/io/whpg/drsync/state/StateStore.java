package io.whpg.drsync.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code <state_dir>/current_restore_point.txt}: the restore point every DR instance was last verified
 * parked at. Written only after that verification; a torn or foreign file is an error, never trusted.
 */
public final class StateStore {
    public static final String FILE_NAME = "current_restore_point.txt";
    private final Path file;

    public StateStore(Path stateDir) {
        this.file = stateDir.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    public Optional<String> current() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String content = Files.readString(file, StandardCharsets.UTF_8);
        if (!content.endsWith("\n") || content.indexOf('\n') != content.length() - 1) {
            throw new IOException(file + ": expected one line ending in a newline, got "
                    + content.length() + " bytes (torn or edited file)");
        }
        try {
            return Optional.of(RestorePointName.validate(file.toString(), content.strip()));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public void advance(String restorePoint) throws IOException {
        AtomicFiles.write(file, RestorePointName.validate("restore point", restorePoint) + "\n");
    }
}
