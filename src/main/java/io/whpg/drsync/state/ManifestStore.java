package io.whpg.drsync.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.backend.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** {@code <manifest_dir>/<restore_point>.json} plus {@code LATEST.json}, every write crash-safe. */
public final class ManifestStore {
    /** Manifests are a few KB per instance; anything far larger is not one and is never read whole. */
    public static final long MAX_BYTES = 64L << 20;
    public static final Duration FUTURE_SLACK = Duration.ofMinutes(5);
    /** The LATEST.json field of the idle heartbeat. */
    public static final String UNCHANGED_CHECKED_AT = "unchanged_checked_at_utc";
    private static final Pattern STAMPED = Pattern.compile("([0-9]{8}_[0-9]{6})\\.json$");
    private final Path dir;
    private final Path latestPath;
    private final PrivateKey signingKey;
    private final ManifestTrust trust;
    private ObjectStore remote;
    private ManifestIndex index;
    private java.util.function.Function<Path, String> remoteKey;

    /** A store whose writes are unsigned and whose reads do not check signatures (status, metrics, retention). */
    public ManifestStore(Path dir, Path latestPath) {
        this(dir, latestPath, null, null);
    }

    /**
     * With {@code signingKey} (the publisher) manifests and LATEST.json are written signed; with {@code trust}
     * (the consumer) every read checks the signature, and a manifest failing it is invalid.
     */
    public ManifestStore(Path dir, Path latestPath, PrivateKey signingKey, ManifestTrust trust) {
        this.dir = dir;
        this.latestPath = latestPath;
        this.signingKey = signingKey;
        this.trust = trust;
    }

    /**
     * With {@code storage.backend = "archive"}: every manifest and LATEST.json written is also put, under the key
     * {@code keyOf} gives its path, in the archive's store (after the local write, manifest before LATEST.json), where the DR site fetches it.
     */
    public ManifestStore withRemote(ObjectStore store, java.util.function.Function<Path, String> keyOf) {
        this.remote = store;
        this.remoteKey = keyOf;
        return this;
    }

    /** Keeps what ordering took of each file in {@code index} across calls (a daemon's cycles): {@link ManifestIndex}. */
    public ManifestStore withIndex(ManifestIndex summaries) {
        this.index = summaries;
        return this;
    }

    private void writeBoth(Path p, String content) throws IOException {
        AtomicFiles.write(p, content);
        if (remote != null) {
            remote.put(remoteKey.apply(p), content.getBytes(StandardCharsets.UTF_8));
        }
    }

    public Path pathOf(String restorePoint) {
        return dir.resolve(RestorePointName.validate("restore point", restorePoint) + ".json");
    }

    public Path latestPath() {
        return latestPath;
    }

    public boolean exists(String restorePoint) {
        return Files.exists(pathOf(restorePoint));
    }

    /**
     * Reserves {@code restorePoint} for this publisher before its restore point is made: an exclusive create of
     * {@code .<name>.reserved} in the manifest dir, then a check that no manifest has the name. False when another
     * publisher holds or held the name; the caller must not create the restore point then.
     */
    public boolean reserve(String restorePoint) throws IOException {
        Path marker = reservationOf(restorePoint);
        if (!AtomicFiles.create(marker, (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8))) {
            return false;
        }
        if (Files.exists(pathOf(restorePoint), LinkOption.NOFOLLOW_LINKS)) {
            AtomicFiles.delete(marker);
            return false;
        }
        return true;
    }

    /** Drops the reservation once the manifest itself holds the name (written after {@link #reserve}). */
    public void release(String restorePoint) throws IOException {
        AtomicFiles.delete(reservationOf(restorePoint));
    }

    private Path reservationOf(String restorePoint) {
        return dir.resolve("." + RestorePointName.validate("restore point", restorePoint) + ".reserved");
    }

    public void write(Manifest m) throws IOException {
        writeBoth(pathOf(m.restorePoint()), ManifestCodec.write(m, signingKey));
    }

    /** LATEST.json names the newest manifest; written only after that manifest itself is on disk. */
    public void writeLatest(Manifest m) throws IOException {
        writeLatest(m, null);
    }

    /**
     * The publisher's heartbeat on an idle cluster: LATEST.json names the READY point {@code m} again, with
     * {@value #UNCHANGED_CHECKED_AT}: every instance was found unchanged since that point at that time.
     */
    public void writeHeartbeat(Manifest m, Instant checkedAt) throws IOException {
        writeLatest(m, checkedAt);
    }

    /** When LATEST.json says the primary was last found unchanged since {@code restorePoint}; empty otherwise. */
    public static Optional<Instant> unchangedCheckedAt(ObjectNode latest, String restorePoint) {
        if (!restorePoint.equals(latest.path("restore_point").asText(null)) || !latest.path("ready").asBoolean(false)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(latest.path(UNCHANGED_CHECKED_AT).asText(null)).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private void writeLatest(Manifest m, Instant unchangedCheckedAt) throws IOException {
        ObjectNode latest = Json.object();
        latest.put("restore_point", m.restorePoint());
        latest.put("ready", m.ready());
        latest.put("created_at_utc", m.createdAtUtc().toString());
        latest.put("manifest", pathOf(m.restorePoint()).toString());
        if (unchangedCheckedAt != null) {
            latest.put(UNCHANGED_CHECKED_AT, unchangedCheckedAt.toString());
        }
        if (signingKey != null) {
            latest.put("signature", ManifestKeys.sign(signingKey, Json.canonical(latest)));
        }
        writeBoth(latestPath, Json.pretty(latest));
    }

    public Manifest read(String restorePoint) throws ManifestException {
        Path p = pathOf(restorePoint);
        if (!Files.exists(p)) {
            throw new ManifestException(p + ": no manifest for restore point \"" + restorePoint + "\"");
        }
        return readFile(p, trust);
    }

    /**
     * One manifest file: only a regular file is opened (a symlink, FIFO, device or directory is refused
     * before any open, so a FIFO can never block the reader), and at most {@link #MAX_BYTES} are read.
     */
    public static Manifest readFile(Path p) throws ManifestException {
        return readFile(p, null);
    }

    /** As {@link #readFile(Path)}, the signature checked with {@code trust} when not null. */
    public static Manifest readFile(Path p, ManifestTrust trust) throws ManifestException {
        String shown = RestorePointName.printable(p.toString());
        try {
            Manifest m = ManifestCodec.read(RegularFiles.read(p, MAX_BYTES), shown, trust);
            if (!p.getFileName().toString().equals(m.restorePoint() + ".json")) {
                throw new ManifestException(shown + ": restore_point: \"" + m.restorePoint()
                        + "\" does not match the file name");
            }
            return m;
        } catch (IOException e) {
            throw new ManifestException(shown + ": cannot read: " + AtomicFiles.reason(e));
        }
    }

    /** A manifest file and what reading it gave: the manifest, or the one-line problem and its status. */
    public record Entry(Path path, Optional<Manifest> manifest, String problem, String status) {
    }

    /**
     * A manifest file in {@link #readNewestFirst()}'s order, with the summary that placed it and, when this listing
     * read the file (new or changed since the index last saw it), what that read gave; {@link #entry} uses it.
     */
    public record Listed(Path path, ManifestIndex.Summary summary, Entry read) {
    }

    /**
     * Every manifest file, read, newest first. Unreadable or invalid ones come first (so they are always
     * reported), then valid ones by their point in the WAL: the restore LSN of the lowest segment id (the
     * coordinator), then created_at_utc, then the name. A name's stamp never decides alone, so a point stamped
     * a year ahead does not hide newer points. LATEST.json and hidden files are not manifests.
     */
    public List<Entry> readNewestFirst() throws IOException {
        return listed(new ManifestIndex()).stream().map(Listed::read).toList(); // a fresh index reads every file
    }

    /**
     * {@link #readNewestFirst()}'s order without keeping the manifests: with an index ({@link #withIndex}) a file
     * unchanged since an earlier call is not read again.
     */
    public List<Listed> listed() throws IOException {
        return listed(index != null ? index : new ManifestIndex());
    }

    private List<Listed> listed(ManifestIndex summaries) throws IOException {
        List<Path> files = files();
        summaries.readWith(trust);
        summaries.retainOnly(files);
        List<Listed> listed = new ArrayList<>();
        for (Path p : files) {
            Entry[] read = {null};
            ManifestIndex.Summary summary = summaries.summary(p, f -> {
                read[0] = readEntry(f);
                return summaryOf(read[0]);
            });
            listed.add(new Listed(p, summary, read[0]));
        }
        listed.sort(NEWEST_FIRST);
        return listed;
    }

    /**
     * A listed file's manifest, as this listing read it, else read and checked now (it may have changed since the
     * index last saw it), or its problem.
     */
    public Entry entry(Listed l) {
        if (l.read() != null) {
            return l.read();
        }
        return l.summary().valid() ? readEntry(l.path())
                : new Entry(l.path(), Optional.empty(), l.summary().problem(), l.summary().status());
    }

    private static ManifestIndex.Summary summaryOf(Entry e) {
        return e.manifest().map(ManifestIndex.Summary::of).orElseGet(() -> ManifestIndex.Summary.invalid(e.problem(), e.status()));
    }

    /** The manifest files in {@link #readNewestFirst()}'s order, for callers that read them one by one. */
    public List<Path> listNewestFirst() throws IOException {
        return listed().stream().map(Listed::path).toList();
    }

    private Entry readEntry(Path p) {
        try {
            return new Entry(p, Optional.of(readFile(p, trust)), null, null);
        } catch (ManifestException e) {
            return new Entry(p, Optional.empty(), e.getMessage(), e.status());
        }
    }

    private static final Comparator<Listed> OLDEST_VALID_FIRST = Comparator
            .comparing((Listed l) -> l.summary().firstLsn())
            .thenComparing(l -> l.summary().createdAt())
            .thenComparing(l -> stampOf(l.path()))
            .thenComparing(l -> l.path().getFileName().toString());
    private static final Comparator<Listed> OLDEST_INVALID_FIRST = Comparator
            .comparing((Listed l) -> stampOf(l.path()))
            .thenComparing(l -> l.path().getFileName().toString());
    /** Invalid files first (newest stamp first), then valid ones, newest first. */
    private static final Comparator<Listed> NEWEST_FIRST = (a, b) -> a.summary().valid() != b.summary().valid()
            ? (a.summary().valid() ? 1 : -1)
            : (a.summary().valid() ? OLDEST_VALID_FIRST : OLDEST_INVALID_FIRST).compare(b, a);

    /**
     * A manifest created (or stamped) more than {@link #FUTURE_SLACK} after {@code now}: a wrong clock or a
     * planted file. Reported, never trusted for ordering.
     */
    public static Optional<String> futureStamp(Manifest m, Instant now) {
        Instant limit = now.plus(FUTURE_SLACK);
        if (m.createdAtUtc().isAfter(limit)) {
            return Optional.of(m.restorePoint() + ": created_at_utc " + m.createdAtUtc() + " is in the future (now "
                    + now + "): publisher clock wrong or manifest planted");
        }
        try {
            Instant named = RestorePointName.instantOf(m.restorePoint());
            if (named.isAfter(limit)) {
                return Optional.of(m.restorePoint() + ": the name's stamp is in the future (now " + now
                        + "): publisher clock wrong or manifest planted");
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Path latest = latestPath.toAbsolutePath().normalize();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") && !n.startsWith(".") && !p.toAbsolutePath().normalize().equals(latest);
            }).toList();
        }
    }

    private static String stampOf(Path p) {
        Matcher m = STAMPED.matcher(p.getFileName().toString());
        return m.find() ? m.group(1) : "";
    }

    /** LATEST.json; a torn or foreign one is an IOException with one line naming the file, never a guess. */
    public Optional<ObjectNode> latest() throws IOException {
        if (!Files.exists(latestPath, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(RegularFiles.read(latestPath, MAX_BYTES));
        } catch (JsonProcessingException e) {
            throw new IOException(latestPath + ": " + Json.notValid(e) + " (torn or edited file)");
        } catch (IOException e) {
            throw new IOException(latestPath + ": cannot read: " + AtomicFiles.reason(e));
        }
        if (!(n instanceof ObjectNode o)) {
            throw new IOException(latestPath + ": expected a JSON object (torn or edited file)");
        }
        if (trust != null) {
            ObjectNode signed = o.deepCopy();
            JsonNode signature = signed.remove("signature");
            try {
                trust.check(latestPath.toString(), Json.canonical(signed), signature);
            } catch (ManifestException e) {
                throw new IOException(e.getMessage());
            }
        }
        return Optional.of(o);
    }
}
