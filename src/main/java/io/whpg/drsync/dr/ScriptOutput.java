package io.whpg.drsync.dr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the line-tagged output of {@link HostScripts}: one block per instance, plus loose tags. */
public final class ScriptOutput {

    /** One instance's block: control-data and backup_label text, flags and values, log evidence, timeline files. */
    public static final class Block {
        private final StringBuilder controlData = new StringBuilder();
        private final StringBuilder backupLabel = new StringBuilder();
        private final Map<String, String> tags = new LinkedHashMap<>();
        private final List<String> log = new ArrayList<>();
        private final List<String> history = new ArrayList<>();
        private final List<String> foreign = new ArrayList<>();

        public String controlData() {
            return controlData.toString();
        }

        /** The text of the data dir's backup_label, as the probe sent it ({@code @@bl} lines). */
        public String backupLabel() {
            return backupLabel.toString();
        }

        public boolean has(String tag) {
            return tags.containsKey(tag);
        }

        public Optional<String> value(String tag) {
            return Optional.ofNullable(tags.get(tag)).filter(v -> !v.isEmpty());
        }

        public List<String> log() {
            return List.copyOf(log);
        }

        public List<String> historyFiles() {
            return List.copyOf(history);
        }

        public List<String> foreignSettings() {
            return List.copyOf(foreign);
        }
    }

    private final Map<Integer, Block> blocks = new LinkedHashMap<>();
    private final Map<String, String> loose = new LinkedHashMap<>();

    private ScriptOutput() {
    }

    public static ScriptOutput parse(String stdout) {
        ScriptOutput out = new ScriptOutput();
        Block current = null;
        for (String line : stdout.split("\n", -1)) {
            if (line.startsWith("@@whpg begin ")) {
                current = new Block();
                out.blocks.put(Integer.parseInt(line.substring(13).strip()), current);
            } else if (line.startsWith("@@whpg end ")) {
                current = null;
            } else if (line.startsWith("@@cd ") && current != null) {
                current.controlData.append(line, 5, line.length()).append('\n');
            } else if (line.startsWith("@@bl ") && current != null) {
                current.backupLabel.append(line, 5, line.length()).append('\n');
            } else if (line.startsWith("@@log ") && current != null) {
                current.log.add(line.substring(6));
            } else if (line.startsWith("@@hist ") && current != null) {
                current.history.add(line.substring(7).strip());
            } else if (line.startsWith("@@foreign ") && current != null) {
                current.foreign.add(line.substring(10).strip());
            } else if (line.startsWith("@@whpg ")) {
                String rest = line.substring(7).strip();
                int sp = rest.indexOf(' ');
                String key = sp < 0 ? rest : rest.substring(0, sp);
                String value = sp < 0 ? "" : rest.substring(sp + 1).strip();
                if (current != null) {
                    current.tags.put(key, value);
                } else {
                    out.loose.merge(key, value, (a, b) -> a + "\n" + b);
                }
            }
        }
        return out;
    }

    public Optional<Block> block(int gpSegmentId) {
        return Optional.ofNullable(blocks.get(gpSegmentId));
    }

    /** Tags outside any block, e.g. {@code refused}, {@code prepared}, {@code launched}; repeated ones joined by newlines. */
    public Optional<String> loose(String tag) {
        return Optional.ofNullable(loose.get(tag));
    }
}
