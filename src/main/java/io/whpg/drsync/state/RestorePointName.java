package io.whpg.drsync.state;

import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Restore point names: safe as file names, SQL literals and shell words, at most 63 bytes like PostgreSQL's. */
public final class RestorePointName {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.-]{1,63}");
    private static final Pattern STAMPED = Pattern.compile("([0-9]{8}_[0-9]{6})$");
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

    /** The UTC instant a name ends with ({@code ..._YYYYMMDD_HHMMSS}); IllegalArgumentException when it has none. */
    public static Instant instantOf(String name) {
        Matcher m = STAMPED.matcher(name);
        if (!m.find()) {
            throw new IllegalArgumentException(name + ": no _YYYYMMDD_HHMMSS stamp");
        }
        try {
            return STAMP.parse(m.group(1), Instant::from);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": bad stamp " + m.group(1));
        }
    }

    /**
     * A file or restore point name safe to print on one line: control characters (newline, escape...) and
     * backslashes are written as {@code \\xNN}, everything else as is.
     */
    public static String printable(String untrusted) {
        StringBuilder b = new StringBuilder(untrusted.length());
        untrusted.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '\\' || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** {@code <prefix>YYYYMMDD_HHMMSS} in UTC, e.g. {@code sync_point_20260201_181406}. */
    public static String forInstant(String prefix, Instant at) {
        return validate("behavior.restore_point_prefix", prefix + STAMP.format(at));
    }
}
