package io.whpg.drsync.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Receipts: {@code <target>.receipt.json} for a verified advancement, and
 * {@code <target>.<UTC stamp>.<status>.receipt.json} for every other outcome (and for an advancement whose
 * name is taken), with {@code -2}, {@code -3}... appended while a name exists: no run overwrites another's evidence.
 */
public final class ReceiptStore {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern STATUS = Pattern.compile("[A-Za-z0-9_]+");
    /** A receipt is kilobytes; one far bigger is not the tool's, and is listed with that problem, never loaded. */
    public static final long MAX_BYTES = 16L << 20;
    private final Path dir;

    public ReceiptStore(Path dir) {
        this.dir = dir;
    }

    public Path write(ObjectNode receipt) throws IOException {
        String target = receipt.path("target_restore_point").asText("none");
        if (!"none".equals(target)) {
            RestorePointName.validate("target_restore_point", target);
        }
        String status = receipt.path("status").asText();
        if (!STATUS.matcher(status).matches()) {
            throw new IllegalArgumentException("status: invalid receipt status \"" + status + "\"");
        }
        Path p = receipt.path("advanced").asBoolean(false) ? dir.resolve(target + ".receipt.json") : null;
        if (p == null || Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            String stamped = target + "." + STAMP.format(Instant.parse(receipt.path("checked_at_utc").asText()))
                    + "." + status;
            p = dir.resolve(stamped + ".receipt.json");
            for (int n = 2; Files.exists(p, LinkOption.NOFOLLOW_LINKS); n++) {
                p = dir.resolve(stamped + "-" + n + ".receipt.json");
            }
        }
        AtomicFiles.write(p, Json.pretty(receipt));
        return p;
    }

    /** The newest receipts first (by the time they were checked), at most {@code limit}. */
    public List<ObjectNode> recent(int limit) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<ObjectNode> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".receipt.json")).toList()) {
                ObjectNode o;
                try {
                    JsonNode n = Json.MAPPER.readTree(RegularFiles.read(p, MAX_BYTES));
                    o = n instanceof ObjectNode obj ? obj : Json.object().put("error", "not a JSON object");
                } catch (IOException e) {
                    // one damaged receipt must not hide the others: it is listed with its problem
                    o = Json.object().put("error", "unreadable: " + e.getMessage().lines().findFirst().orElse(""));
                }
                o.put("file", p.getFileName().toString());
                all.add(o);
            }
        }
        // as instants: Instant.toString() drops zero fractions, so "…:49Z" would sort after "…:49.5Z" as text
        all.sort(Comparator.comparing(ReceiptStore::checkedAt).reversed());
        return all.subList(0, Math.min(limit, all.size()));
    }

    private static Instant checkedAt(ObjectNode receipt) {
        try {
            return Instant.parse(receipt.path("checked_at_utc").asText());
        } catch (DateTimeParseException e) {
            return Instant.MAX; // a damaged or planted receipt is listed first: the limit never hides it
        }
    }
}
