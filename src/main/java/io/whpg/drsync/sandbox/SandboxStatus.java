package io.whpg.drsync.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/** What {@link Sandbox#status()} saw: one row per instance, primaries first, then one per SSH host. */
public record SandboxStatus(Path dir, String serviceUser, List<InstanceStatus> instances, List<SshHostStatus> sshHosts) {

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

    /**
     * @param pid     the pid sandbox.json records for this host's sshd
     * @param running whether that pid is still this host's sshd
     */
    public record SshHostStatus(String address, int port, long pid, boolean running, List<Integer> drContentIds) {
        public SshHostStatus {
            drContentIds = List.copyOf(drContentIds);
        }
    }

    public SandboxStatus {
        instances = List.copyOf(instances);
        sshHosts = List.copyOf(sshHosts);
    }

    public List<InstanceStatus> primaries() {
        return instances.stream().filter(i -> i.role() == Role.PRIMARY).toList();
    }

    public List<InstanceStatus> drCopies() {
        return instances.stream().filter(i -> i.role() == Role.DR).toList();
    }

    /** A fixed-width table for a terminal, headed by the sandbox dir and service user; SSH hosts in a second table. */
    public String toTable() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CONTENT", "ROLE", "PORT", "RUNNING", "PID", "STATE", "DATA DIR"});
        for (InstanceStatus i : instances) {
            rows.add(new String[] {Integer.toString(i.contentId()), i.role().label(), Integer.toString(i.port()),
                    i.running() ? "yes" : "no", i.pid().isPresent() ? Long.toString(i.pid().getAsLong()) : "-",
                    i.clusterState(), i.dataDir().toString()});
        }
        StringBuilder sb = new StringBuilder("sandbox ").append(dir).append(" (user ").append(serviceUser).append(")\n");
        appendAligned(sb, rows);
        if (!sshHosts.isEmpty()) {
            List<String[]> hosts = new ArrayList<>();
            hosts.add(new String[] {"SSH HOST", "PORT", "RUNNING", "PID", "DR CONTENT"});
            for (SshHostStatus h : sshHosts) {
                hosts.add(new String[] {h.address(), Integer.toString(h.port()), h.running() ? "yes" : "no",
                        Long.toString(h.pid()), h.drContentIds().stream().map(String::valueOf).collect(Collectors.joining(","))});
            }
            appendAligned(sb, hosts);
        }
        return sb.toString();
    }

    private static void appendAligned(StringBuilder sb, List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == row.length - 1 ? row[c] : String.format("%-" + width[c] + "s  ", row[c]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
