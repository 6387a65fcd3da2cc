package io.whpg.drsync.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * {@code <state_dir>/current_restore_point.txt}: the restore point every DR instance was last verified
 * parked at. It exists only while that is true: before a cycle starts the first instance it is replaced
 * by {@code in_transit.json} (where from, where to, since when), and it comes back, naming the target, only
 * after every instance was verified there. A torn or foreign file is an error, never trusted.
 */
public final class StateStore {
    public static final String FILE_NAME = "current_restore_point.txt";
    public static final String TRANSIT_FILE_NAME = "in_transit.json";
    static final long MAX_BYTES = 64 * 1024;
    private final Path file;
    private final Path transitFile;

    /** A cycle left {@code from} (absent when no point was verified yet) for {@code to} at {@code since}. */
    public record Transit(Optional<String> from, String to, Instant since) {
        public String describe() {
            return "left " + from.orElse("(no verified point)") + " for " + to + " at " + since;
        }
    }

    public StateStore(Path stateDir) {
        this.file = stateDir.resolve(FILE_NAME);
        this.transitFile = stateDir.resolve(TRANSIT_FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /** The verified restore point; empty before the first one and while a cycle has instances on the move. */
    public Optional<String> current() throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        String content = readSmall(file);
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

    /**
     * The departure marker, when a cycle moved instances and no later cycle verified a point. Read it only when
     * {@link #current()} is empty: beside a state file it is a leftover of a crash between two writes.
     */
    public Optional<Transit> transit() throws IOException {
        if (!Files.exists(transitFile, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        String text = readSmall(transitFile);
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            if (n == null || !n.isObject()) {
                throw new IOException(transitFile + ": expected a JSON object (torn or edited file)");
            }
            JsonNode from = n.path("from");
            return Optional.of(new Transit(
                    from.isNull() || from.isMissingNode() ? Optional.empty()
                            : Optional.of(RestorePointName.validate(transitFile + ": from", from.asText())),
                    RestorePointName.validate(transitFile + ": to", n.path("to").asText(null)),
                    Instant.parse(n.path("since_utc").asText(""))));
        } catch (JsonProcessingException e) {
            throw new IOException(transitFile + ": not valid JSON (torn or edited file): " + e.getOriginalMessage());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IOException(transitFile + ": " + e.getMessage() + " (torn or edited file)");
        }
    }

    /** A state file is a few hundred bytes: a symlink, FIFO, directory or huge file is one line naming it. */
    private static String readSmall(Path p) throws IOException {
        try {
            return RegularFiles.read(p, MAX_BYTES);
        } catch (IOException e) {
            throw new IOException(p + ": cannot read: " + AtomicFiles.reason(e) + " (torn or edited file)", e);
        }
    }

    /**
     * Called before the first instance of a cycle starts: the marker first, then the state file goes, so that
     * at every moment the state either names a point every instance is parked at, or names none.
     */
    public void depart(Optional<String> from, String to, Instant since) throws IOException {
        ObjectNode n = Json.object();
        n.put("from", from.orElse(null));
        n.put("to", RestorePointName.validate("restore point", to));
        n.put("since_utc", since.toString());
        AtomicFiles.write(transitFile, Json.pretty(n));
        AtomicFiles.delete(file);
    }

    /** After every instance was verified at {@code restorePoint}: the state names it, then the marker goes. */
    public void advance(String restorePoint) throws IOException {
        AtomicFiles.write(file, RestorePointName.validate("restore point", restorePoint) + "\n");
        AtomicFiles.delete(transitFile);
    }
}
