package io.whpg.drsync.state;

import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/** Restore point names: safe as file names, SQL literals and shell words, at most 63 bytes like PostgreSQL's. */
public final class RestorePointName {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.-]{1,63}");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private RestorePointName() {
    }

    /** Returns {@code name} or throws naming the field and the value. */
    public static String validate(String field, String name) {
        if (name == null || !SAFE.matcher(name).matches() || name.startsWith(".")) {
            // quoted as a JSON string, so a newline or quote in the value cannot break the one-line message
            throw new IllegalArgumentException(field + ": invalid restore point name "
                    + (name == null ? "null" : TextNode.valueOf(name).toString())
                    + ": expected 1-63 characters of [A-Za-z0-9_.-], not starting with '.'");
        }
        return name;
    }

    /** {@code <prefix>YYYYMMDD_HHMMSS} in UTC, e.g. {@code sync_point_20260201_181406}. */
    public static String forInstant(String prefix, Instant at) {
        return validate("behavior.restore_point_prefix", prefix + STAMP.format(at));
    }
}
