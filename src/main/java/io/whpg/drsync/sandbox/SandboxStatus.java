package io.whpg.drsync.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** What {@link Sandbox#status()} saw: one row per instance, primaries first. */
public record SandboxStatus(Path dir, String serviceUser, List<InstanceStatus> instances) {

    public enum Role {
        PRIMARY, DR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param clusterState pg_controldata's "Database cluster state", e.g. {@code in production},
     *                     {@code shut down in recovery}; or why it could not be read
     */
    public record InstanceStatus(int contentId, Role role, int port, Path dataDir, boolean running,
                                 OptionalLong pid, String clusterState) {
    }

    public SandboxStatus {
        instances = List.copyOf(instances);
    }

    public List<InstanceStatus> primaries() {
        return instances.stream().filter(i -> i.role() == Role.PRIMARY).toList();
    }

    public List<InstanceStatus> drCopies() {
        return instances.stream().filter(i -> i.role() == Role.DR).toList();
    }

    /** A fixed-width table for a terminal, headed by the sandbox dir and service user. */
    public String toTable() {
        String[] header = {"CONTENT", "ROLE", "PORT", "RUNNING", "PID", "STATE", "DATA DIR"};
        List<String[]> rows = new ArrayList<>();
        rows.add(header);
        for (InstanceStatus i : instances) {
            rows.add(new String[] {Integer.toString(i.contentId()), i.role().label(), Integer.toString(i.port()),
                    i.running() ? "yes" : "no", i.pid().isPresent() ? Long.toString(i.pid().getAsLong()) : "-",
                    i.clusterState(), i.dataDir().toString()});
        }
        int[] width = new int[header.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder("sandbox ").append(dir).append(" (user ").append(serviceUser).append(")\n");
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == row.length - 1 ? row[c] : String.format("%-" + width[c] + "s  ", row[c]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
