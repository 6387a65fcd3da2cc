package io.whpg.drsync.pg;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code WAL-Ranges} of a {@code backup_manifest} (pg_basebackup, PostgreSQL 13+): the WAL a copy needs
 * before it is consistent, one range per timeline.
 */
public record BackupManifest(List<WalRange> walRanges) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record WalRange(int timeline, Lsn start, Lsn end) {
    }

    public BackupManifest {
        walRanges = List.copyOf(walRanges);
        if (walRanges.isEmpty()) {
            throw new IllegalArgumentException("backup_manifest: WAL-Ranges is empty");
        }
    }

    public static BackupManifest parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("backup_manifest is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode ranges = root == null ? null : root.get("WAL-Ranges");
        if (ranges == null || !ranges.isArray()) {
            throw new IllegalArgumentException("backup_manifest: missing array \"WAL-Ranges\"");
        }
        List<WalRange> walRanges = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            String where = "backup_manifest WAL-Ranges[" + i + "]";
            JsonNode range = ranges.get(i);
            JsonNode timeline = range.get("Timeline");
            if (timeline == null || !timeline.isIntegralNumber() || timeline.asLong() < 1 || timeline.asLong() > 0xFFFFFFFFL) {
                throw new IllegalArgumentException(where + ": \"Timeline\" must be a timeline ID, got " + timeline);
            }
            walRanges.add(new WalRange((int) timeline.asLong(), lsn(range, "Start-LSN", where), lsn(range, "End-LSN", where)));
        }
        return new BackupManifest(walRanges);
    }

    /** Where the copy becomes consistent: replay must reach this before any recovery target. */
    public Lsn end() {
        return walRanges.stream().map(WalRange::end).max(Lsn::compareTo).orElseThrow();
    }

    private static Lsn lsn(JsonNode range, String name, String where) {
        JsonNode value = range.get(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(where + ": missing text field \"" + name + "\"");
        }
        try {
            return Lsn.parse(value.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " \"" + name + "\": " + e.getMessage());
        }
    }
}
