package io.whpg.drsync.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Receipts: {@code <target>.receipt.json} for a verified advancement, and
 * {@code <target>.<UTC stamp>.<status>.receipt.json} for every other outcome, so no run overwrites
 * another run's evidence.
 */
public final class ReceiptStore {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private final Path dir;

    public ReceiptStore(Path dir) {
        this.dir = dir;
    }

    public Path write(ObjectNode receipt) throws IOException {
        String target = receipt.path("target_restore_point").asText("none");
        if (!"none".equals(target)) {
            RestorePointName.validate("target_restore_point", target);
        }
        String name = receipt.path("advanced").asBoolean(false)
                ? target + ".receipt.json"
                : target + "." + STAMP.format(Instant.parse(receipt.path("checked_at_utc").asText()))
                        + "." + receipt.path("status").asText() + ".receipt.json";
        Path p = dir.resolve(name);
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
                JsonNode n = Json.MAPPER.readTree(Files.readString(p));
                if (n instanceof ObjectNode o) {
                    o.put("file", p.getFileName().toString());
                    all.add(o);
                }
            }
        }
        all.sort(Comparator.comparing((ObjectNode o) -> o.path("checked_at_utc").asText()).reversed());
        return all.subList(0, Math.min(limit, all.size()));
    }
}
