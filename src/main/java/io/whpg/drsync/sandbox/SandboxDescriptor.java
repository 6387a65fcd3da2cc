package io.whpg.drsync.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.state.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code sandbox.json}: everything {@link Sandbox#open}, status and down need to find the instances and sshd servers again. */
record SandboxDescriptor(Path dir, String serviceUser, SandboxOptions options,
                         List<SandboxInstance> primaries, List<SandboxInstance> drCopies, List<SandboxSshHost> sshHosts) {
    SandboxDescriptor {
        primaries = List.copyOf(primaries);
        drCopies = List.copyOf(drCopies);
        sshHosts = List.copyOf(sshHosts);
    }

    SandboxDescriptor withSshHosts(List<SandboxSshHost> hosts) {
        return new SandboxDescriptor(dir, serviceUser, options, primaries, drCopies, hosts);
    }

    SandboxDescriptor withPrimaries(List<SandboxInstance> started) {
        return new SandboxDescriptor(dir, serviceUser, options, started, drCopies, sshHosts);
    }

    String toJson() {
        ObjectNode root = Json.object();
        root.put("dir", dir.toString());
        root.put("service_user", serviceUser);
        root.put("pg_bin", Sandbox.PG_BIN.toString());
        ObjectNode o = root.putObject("options");
        o.put("segments", options.segments());
        o.put("wal_segment_mb", options.walSegmentMb());
        o.put("gp_form", options.gpForm().name());
        o.put("gp_switch_wal", options.gpSwitchWal());
        o.put("ssh_hosts", options.sshHosts());
        putInstances(root.putArray("primaries"), primaries);
        putInstances(root.putArray("dr_copies"), drCopies);
        ArrayNode hosts = root.putArray("ssh_hosts");
        for (SandboxSshHost h : sshHosts) {
            ObjectNode n = hosts.addObject();
            n.put("address", h.address());
            n.put("port", h.port());
            n.put("pid", h.pid());
            h.drContentIds().forEach(n.putArray("dr_content_ids")::add);
        }
        return Json.pretty(root);
    }

    private static void putInstances(ArrayNode array, List<SandboxInstance> instances) {
        for (SandboxInstance i : instances) {
            ObjectNode n = array.addObject();
            n.put("content_id", i.contentId());
            n.put("port", i.port());
            n.put("data_dir", i.dataDir().toString());
        }
    }

    static SandboxDescriptor fromJson(String text, Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        String user = required(root, "service_user", file).asText();
        JsonNode o = required(root, "options", file);
        SandboxOptions options;
        try {
            options = new SandboxOptions(required(o, "segments", file).asInt(),
                    required(o, "wal_segment_mb", file).asInt(),
                    GpForm.valueOf(required(o, "gp_form", file).asText()),
                    required(o, "gp_switch_wal", file).asBoolean(),
                    o.path("ssh_hosts").asInt(0));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": options: " + e.getMessage());
        }
        return new SandboxDescriptor(Path.of(required(root, "dir", file).asText()), user, options,
                instances(required(root, "primaries", file), user, file),
                instances(required(root, "dr_copies", file), user, file),
                sshHosts(root.path("ssh_hosts"), file));
    }

    /** Absent in a sandbox without SSH hosts. */
    private static List<SandboxSshHost> sshHosts(JsonNode array, Path file) throws IOException {
        List<SandboxSshHost> list = new ArrayList<>();
        for (JsonNode n : array) {
            List<Integer> contents = new ArrayList<>();
            for (JsonNode c : required(n, "dr_content_ids", file)) {
                contents.add(c.asInt());
            }
            list.add(new SandboxSshHost(required(n, "address", file).asText(), required(n, "port", file).asInt(),
                    required(n, "pid", file).asLong(), contents));
        }
        return list;
    }

    private static List<SandboxInstance> instances(JsonNode array, String user, Path file) throws IOException {
        List<SandboxInstance> list = new ArrayList<>();
        for (JsonNode n : array) {
            list.add(new SandboxInstance(required(n, "content_id", file).asInt(), required(n, "port", file).asInt(),
                    Path.of(required(n, "data_dir", file).asText()), user));
        }
        return list;
    }

    private static JsonNode required(JsonNode node, String field, Path file) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IOException(file + ": missing field " + field);
        }
        return value;
    }
}
