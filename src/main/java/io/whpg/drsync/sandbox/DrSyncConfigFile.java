package io.whpg.drsync.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.state.Json;

import java.util.List;
import java.util.Optional;

/**
 * The ready-to-use {@code dr_sync_config.json} of a sandbox, in the seed's format. With SSH hosts, each DR
 * instance is {@code is_local: false} on its host's address and ssh port, reached as the service user with the
 * sandbox's client key, host keys checked against the sandbox's known_hosts.
 */
final class DrSyncConfigFile {
    static final String PG_HOME = "/usr/lib/postgresql/15";

    private DrSyncConfigFile() {
    }

    static String json(SandboxLayout layout, String serviceUser, int coordinatorPort,
                       List<SandboxInstance> drCopies, int walSegmentMb, List<SandboxSshHost> sshHosts) {
        ObjectNode root = Json.object();
        ObjectNode primary = root.putObject("primary");
        primary.put("host", "127.0.0.1");
        primary.put("port", coordinatorPort);
        primary.put("db", "postgres");
        primary.put("user", serviceUser);
        // Plain PostgreSQL rejects gp_role, so no utility-mode options.
        primary.put("utility_options", "");

        ObjectNode storage = root.putObject("storage");
        storage.put("manifest_dir", layout.drSyncDir().resolve("manifests").toString());
        storage.put("latest_path", layout.drSyncDir().resolve("LATEST.json").toString());

        ObjectNode archive = root.putObject("archive");
        archive.put("archive_dir", layout.archiveDir().toString());
        archive.put("layout", "%c");

        ObjectNode dr = root.putObject("dr");
        dr.put("gp_home", PG_HOME);
        dr.put("pg_bin", PG_HOME + "/bin");
        dr.put("state_dir", layout.drSyncDir().resolve("dr_state").toString());
        dr.put("receipts_dir", layout.drSyncDir().resolve("receipts").toString());
        ArrayNode instances = dr.putArray("instances");
        for (SandboxInstance copy : drCopies) {
            ObjectNode i = instances.addObject();
            i.put("gp_segment_id", copy.contentId());
            Optional<SandboxSshHost> behind = sshHosts.stream()
                    .filter(h -> h.drContentIds().contains(copy.contentId())).findFirst();
            i.put("host", behind.map(SandboxSshHost::address).orElse("127.0.0.1"));
            i.put("port", copy.port());
            i.put("data_dir", copy.dataDir().toString());
            i.put("is_local", behind.isEmpty());
            behind.ifPresent(h -> i.put("ssh_port", h.port()));
        }
        if (!sshHosts.isEmpty()) {
            ObjectNode ssh = root.putObject("ssh");
            ssh.put("user", serviceUser);
            ssh.put("identity", layout.clientKey().toString());
            ssh.put("known_hosts", layout.knownHosts().toString());
            ssh.put("connect_timeout_secs", 5);
            // One retry after 1 s: a stopped sandbox host is reported quickly.
            ssh.put("retries", 1);
        }

        ObjectNode behavior = root.putObject("behavior");
        behavior.put("publisher_sleep_secs", 10);
        behavior.put("consumer_sleep_secs", 30);
        behavior.put("consumer_reach_poll_secs", 1);
        behavior.put("consumer_wait_reach_secs", 60);
        behavior.put("wal_segment_size_mb", walSegmentMb);
        behavior.put("publisher_wait_archive_secs", 30);
        return Json.pretty(root);
    }

    /** Directories named in the config that the tool writes into. */
    static List<String> toolDirs() {
        return List.of("manifests", "dr_state", "receipts");
    }
}
