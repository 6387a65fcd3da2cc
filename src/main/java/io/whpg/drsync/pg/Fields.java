package io.whpg.drsync.pg;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code Name: value} lines of pg_controldata output, backup_label and backup history files.
 * Errors name the source and the field, since the caller's user must find the line.
 */
final class Fields {
    private final String source;
    private final Map<String, String> values;

    private Fields(String source, Map<String, String> values) {
        this.source = source;
        this.values = values;
    }

    /** Lines without a colon (pg_controldata's CRC warning prose, blank lines) carry no field. */
    static Fields parse(String source, String text) {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim();
            if (values.putIfAbsent(name, lines[i].substring(colon + 1).trim()) != null) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": field " + quoted(name) + " appears twice");
            }
        }
        return new Fields(source, values);
    }

    String text(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException(source + ": missing field " + quoted(name));
        }
        return value;
    }

    /** The value's first word, so {@code 0/2000028 (file 000000010000000000000002)} reads as its LSN. */
    Lsn lsn(String name) {
        String value = text(name);
        try {
            return Lsn.parse(value.split("\\s+", 2)[0]);
        } catch (IllegalArgumentException e) {
            throw invalid(name, e.getMessage());
        }
    }

    long number(String name) {
        String value = text(name);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw invalid(name, "expected a number, got " + quoted(value));
        }
    }

    /** A timeline ID: unsigned 32-bit decimal, as PostgreSQL prints {@code TimeLineID}. */
    int timeline(String name) {
        String value = text(name);
        try {
            return Integer.parseUnsignedInt(value);
        } catch (NumberFormatException e) {
            throw invalid(name, "expected a timeline ID (unsigned 32-bit number), got " + quoted(value));
        }
    }

    IllegalArgumentException invalid(String name, String problem) {
        return new IllegalArgumentException(source + " field " + quoted(name) + ": " + problem);
    }

    /** Quotes a value for a one-line message, escaping what would break the line. */
    static String quoted(String text) {
        if (text == null) {
            return "null";
        }
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + '"';
    }
}
