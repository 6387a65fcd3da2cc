package io.whpg.drsync.config;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** One value of the config file with its JSON path, read as a checked type; a null node means the key is absent. */
final class ConfigValue {
    /** Reads one value; lets optional keys share the readers of required ones. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ConfigValue value) throws ConfigException;
    }

    private static final int MAX_SHOWN = 80;
    // Names go into ssh, JDBC URLs and shell commands: refuse anything a shell would interpret.
    private static final Pattern HOST = Pattern.compile("(?=.{1,253}$)([A-Za-z0-9_:][A-Za-z0-9._:-]*|\\[[0-9A-Fa-f:.]+\\])");
    private static final Pattern OS_USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}");

    private final String path;
    private final JsonNode node;
    private final List<ConfigObject> opened;

    ConfigValue(String path, JsonNode node, List<ConfigObject> opened) {
        this.path = path;
        this.node = node;
        this.opened = opened;
    }

    String path() {
        return path;
    }

    ConfigObject object() throws ConfigException {
        if (!present().isObject()) {
            throw invalid("an object");
        }
        return new ConfigObject((ObjectNode) node, path, opened);
    }

    /** A non-empty array whose elements are all objects, each with its own indexed path. */
    List<ConfigObject> objects() throws ConfigException {
        if (!present().isArray() || node.isEmpty()) {
            throw invalid("a non-empty array");
        }
        List<ConfigObject> objects = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            objects.add(new ConfigValue(path + "[" + i + "]", node.get(i), opened).object());
        }
        return objects;
    }

    int integer(int min, int max) throws ConfigException {
        return integer(min, max, "an integer " + min + ".." + max);
    }

    /** A JSON integer in range: "5" and 5.0 are refused so a typo never silently becomes a number. */
    int integer(int min, int max, String expected) throws ConfigException {
        if (!present().isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw invalid(expected);
        }
        return node.intValue();
    }

    int port() throws ConfigException {
        return integer(1, 65535);
    }

    boolean bool() throws ConfigException {
        if (!present().isBoolean()) {
            throw invalid("true or false");
        }
        return node.booleanValue();
    }

    String text() throws ConfigException {
        return nonEmpty("a non-empty string");
    }

    /** A string that may be empty but still has no control characters. */
    String textOrEmpty() throws ConfigException {
        return string("a string");
    }

    String host() throws ConfigException {
        return matching(HOST, "a host name or IP address (letters, digits, '.', '-', '_', ':' or [IPv6])");
    }

    String osUser() throws ConfigException {
        return matching(OS_USER, "an OS user name (letters, digits, '_', '.', '-'; not starting with '.' or '-')");
    }

    /** An absolute path kept as text, for paths that live on another host. */
    String absolutePathText() throws ConfigException {
        String value = nonEmpty("an absolute path");
        if (!value.startsWith("/")) {
            throw invalid("an absolute path");
        }
        return value;
    }

    Path absolutePath() throws ConfigException {
        return Path.of(absolutePathText());
    }

    String matching(Pattern pattern, String expected) throws ConfigException {
        String value = nonEmpty(expected);
        if (!pattern.matcher(value).matches()) {
            throw invalid(expected);
        }
        return value;
    }

    /** One of the listed words, e.g. a backend kind. */
    String oneOf(String... words) throws ConfigException {
        String expected = "one of \"" + String.join("\", \"", words) + "\"";
        String value = nonEmpty(expected);
        if (!java.util.Arrays.asList(words).contains(value)) {
            throw invalid(expected);
        }
        return value;
    }

    ConfigException invalid(String expected) {
        return problem("expected " + expected);
    }

    /** The one-line error for this value: "path: what, got value". */
    ConfigException problem(String what) {
        return new ConfigException(path + ": " + what + ", got " + describe(node));
    }

    /** A JSON string literal of the text, with every control or line-separator character escaped. */
    static String quote(String text) {
        String json = new String(JsonStringEncoder.getInstance().quoteAsString(text));
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : json.toCharArray()) {
            if (isControl(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private JsonNode present() throws ConfigException {
        if (node == null) {
            throw new ConfigException(path + ": required");
        }
        return node;
    }

    private String nonEmpty(String expected) throws ConfigException {
        String value = string(expected);
        if (value.isEmpty()) {
            throw invalid(expected);
        }
        return value;
    }

    private String string(String expected) throws ConfigException {
        if (!present().isTextual()) {
            throw invalid(expected);
        }
        String value = node.textValue();
        if (value.chars().anyMatch(c -> isControl((char) c))) {
            throw problem("control characters (NUL, newline, tab, ...) are not allowed");
        }
        return value;
    }

    private static boolean isControl(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    private static String describe(JsonNode value) {
        if (value.isContainerNode()) {
            return value.isEmpty() ? value.toString() : value.isObject() ? "an object" : "an array";
        }
        String shown = value.isTextual() ? quote(value.textValue()) : value.toString();
        return shown.length() <= MAX_SHOWN ? shown : shown.substring(0, MAX_SHOWN - 3) + "...";
    }
}
