package io.whpg.drsync.ops.doctor;

import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.backend.Backends;
import io.whpg.drsync.backend.ObjectStore;
import io.whpg.drsync.route.ArchiveRoutes;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code whpg_dr_sync doctor}: checks, for one role or both, what a cycle will need, one {@link Check} each,
 * so a broken setup is named before the first cycle fails on it.
 */
public final class Doctor {
    public enum Role { primary, dr }

    private Doctor() {
    }

    /** @param role null: both roles */
    public static List<Check> run(DrSyncConfig cfg, Role role) {
        List<Check> out = new ArrayList<>();
        out.add(Check.pass("config", "valid"));
        archive(cfg, out);
        if (role != Role.dr) {
            PrimaryChecks.run(cfg, out);
            KeyChecks.signing(cfg.storage().signing(), out);
            out.add(Disk.free("manifest_dir", cfg.storage().manifestDir()));
            if (cfg.archive().backend().isPosix()) {
                out.add(Disk.free("archive_dir", cfg.archive().archiveDir()));
            }
        }
        if (role != Role.primary) {
            DrChecks.run(cfg, out);
            KeyChecks.verifying(cfg.storage().signing(), out);
            out.add(Disk.free("state_dir", cfg.dr().stateDir()));
            out.add(Disk.free("receipts_dir", cfg.dr().receiptsDir()));
        }
        return out;
    }

    /** The default backend reads one directory per instance; another backend is a route doctor cannot judge. */
    private static void archive(DrSyncConfig cfg, List<Check> out) {
        if (!cfg.archive().backend().isPosix()) {
            // the built-in s3 / sftp store: the same check as at start (endpoint, bucket or directory, credentials)
            try (ObjectStore store = Backends.build(cfg, () -> null, System::getenv).orElseThrow().store()) {
                Backends.check(cfg, store);
                out.add(Check.pass("archive backend", store.name(cfg.archive().archiveDir().toString()) + " answers"));
            } catch (IllegalArgumentException e) {
                out.add(Check.fail("archive backend", e.getMessage(), "fix archive." + cfg.archive().backend().kind()
                        + " (endpoint, bucket or host, credentials) or the store"));
            }
            return;
        }
        if (!ArchiveRoutes.LOCAL_URI.equals(cfg.archive().listEndpoint())) {
            out.add(Check.pass("archive backend", "custom endpoint " + cfg.archive().listEndpoint() + " (not checked)"));
            return;
        }
        TreeSet<Integer> segments = new TreeSet<>();
        cfg.dr().instances().forEach(i -> segments.add(i.gpSegmentId()));
        List<String> missing = new ArrayList<>();
        for (int seg : segments) {
            var dir = cfg.archive().dirFor(seg);
            if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
                missing.add(dir.toString());
            }
        }
        out.add(missing.isEmpty() ? Check.pass("archive backend", segments.size() + " directories under " + cfg.archive().archiveDir())
                : Check.fail("archive backend", "not a readable directory: " + String.join(", ", missing),
                        "mount the archive, or fix archive.archive_dir / archive.layout"));
    }
}
