package io.whpg.drsync.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One JSON object of the config file with its path. It remembers which keys were asked for, so every key
 * nobody asked for can be reported as unknown (a typo must not pass silently, but must not stop the tool).
 */
final class ConfigObject {
    private final ObjectNode node;
    private final String path;
    private final Set<String> known = new HashSet<>();
    private final List<ConfigObject> opened;

    ConfigObject(ObjectNode node, String path, List<ConfigObject> opened) {
        this.node = node;
        this.path = path;
        this.opened = opened;
        opened.add(this);
    }

    static ConfigObject root(ObjectNode node) {
        return new ConfigObject(node, "", new ArrayList<>());
    }

    String path() {
        return path;
    }

    ConfigValue get(String key) {
        known.add(key);
        return new ConfigValue(childPath(key), node.get(key), opened);
    }

    /** The value read by reader, or the default when the key is absent or JSON null. */
    <T> T optional(String key, T defaultValue, ConfigValue.Reader<T> reader) throws ConfigException {
        ConfigValue value = get(key);
        JsonNode raw = node.get(key);
        return raw == null || raw.isNull() ? defaultValue : reader.read(value);
    }

    ConfigObject object(String key) throws ConfigException {
        return get(key).object();
    }

    /** An optional section: absent or null reads as an empty object, so every key takes its default. */
    ConfigObject optionalObject(String key) throws ConfigException {
        ConfigObject present = optional(key, null, ConfigValue::object);
        return present != null ? present : new ConfigObject(JsonNodeFactory.instance.objectNode(), childPath(key), opened);
    }

    /** One warning per key that no reader asked for, in the order the objects were read. */
    List<String> unknownKeyWarnings() {
        List<String> warnings = new ArrayList<>();
        for (ConfigObject object : opened) {
            for (Iterator<String> names = object.node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!object.known.contains(name)) {
                    warnings.add("unknown key " + ConfigValue.quote(object.childPath(name)) + " ignored");
                }
            }
        }
        return warnings;
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
