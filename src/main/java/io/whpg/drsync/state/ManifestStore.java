package io.whpg.drsync.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** {@code <manifest_dir>/<restore_point>.json} plus {@code LATEST.json}, every write crash-safe. */
public final class ManifestStore {
    private static final Pattern STAMPED = Pattern.compile("([0-9]{8}_[0-9]{6})\\.json$");
    private final Path dir;
    private final Path latestPath;

    public ManifestStore(Path dir, Path latestPath) {
        this.dir = dir;
        this.latestPath = latestPath;
    }

    public Path pathOf(String restorePoint) {
        return dir.resolve(RestorePointName.validate("restore point", restorePoint) + ".json");
    }

    public boolean exists(String restorePoint) {
        return Files.exists(pathOf(restorePoint));
    }

    public void write(Manifest m) throws IOException {
        AtomicFiles.write(pathOf(m.restorePoint()), ManifestCodec.write(m));
    }

    /** LATEST.json names the newest manifest; written only after that manifest itself is on disk. */
    public void writeLatest(Manifest m) throws IOException {
        ObjectNode latest = Json.object();
        latest.put("restore_point", m.restorePoint());
        latest.put("ready", m.ready());
        latest.put("created_at_utc", m.createdAtUtc().toString());
        latest.put("manifest", pathOf(m.restorePoint()).toString());
        AtomicFiles.write(latestPath, Json.pretty(latest));
    }

    public Manifest read(String restorePoint) throws ManifestException {
        Path p = pathOf(restorePoint);
        if (!Files.exists(p)) {
            throw new ManifestException(p + ": no manifest for restore point \"" + restorePoint + "\"");
        }
        return readFile(p);
    }

    public static Manifest readFile(Path p) throws ManifestException {
        try {
            Manifest m = ManifestCodec.read(Files.readString(p, StandardCharsets.UTF_8), p.toString());
            if (!p.getFileName().toString().equals(m.restorePoint() + ".json")) {
                throw new ManifestException(p + ": restore_point: \"" + m.restorePoint()
                        + "\" does not match the file name");
            }
            return m;
        } catch (IOException e) {
            throw new ManifestException(p + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * Manifest files, newest first: by the UTC stamp their names end with, then by name, so a changed
     * restore_point_prefix does not put older manifests ahead of newer ones. LATEST.json is not one.
     */
    public List<Path> listNewestFirst() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Path latest = latestPath.toAbsolutePath().normalize();
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = new ArrayList<>(s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") && !n.startsWith(".") && !p.toAbsolutePath().normalize().equals(latest);
            }).toList());
            files.sort(Comparator.comparing(ManifestStore::stampOf)
                    .thenComparing(p -> p.getFileName().toString()).reversed());
            return files;
        }
    }

    /** {@code YYYYMMDD_HHMMSS} from {@code <prefix>YYYYMMDD_HHMMSS.json}, else "" (sorts as oldest). */
    private static String stampOf(Path p) {
        Matcher m = STAMPED.matcher(p.getFileName().toString());
        return m.find() ? m.group(1) : "";
    }

    /** LATEST.json; a torn or foreign one is an IOException with one line naming the file, never a guess. */
    public Optional<ObjectNode> latest() throws IOException {
        if (!Files.exists(latestPath)) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(Files.readString(latestPath));
        } catch (JsonProcessingException e) {
            throw new IOException(latestPath + ": " + Json.notValid(e) + " (torn or edited file)");
        }
        if (!(n instanceof ObjectNode o)) {
            throw new IOException(latestPath + ": expected a JSON object (torn or edited file)");
        }
        return Optional.of(o);
    }
}
