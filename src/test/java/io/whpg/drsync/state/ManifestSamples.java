package io.whpg.drsync.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.WalFile;
import java.time.Instant;
import java.util.List;

/** Manifests as the publisher writes them, for tests: 16 MB segments, the system identifier of the controldata samples. */
public final class ManifestSamples {
    public static final long SEGMENT_SIZE = 16L << 20;
    /** "Database system identifier" of src/test/resources/controldata/*.txt (the 16 MB primary and its copies). */
    public static final String SYSTEM_ID = "7712620026465536620";

    private ManifestSamples() {
    }

    public static SegmentPoint point(int gpSegmentId, String restoreLsn, int timeline) {
        return point(gpSegmentId, restoreLsn, timeline, SYSTEM_ID);
    }

    public static SegmentPoint point(int gpSegmentId, String restoreLsn, int timeline, String systemId) {
        Lsn lsn = Lsn.parse(restoreLsn);
        return new SegmentPoint(gpSegmentId, lsn, timeline, WalFile.containing(lsn, timeline, SEGMENT_SIZE).name(),
                systemId, gpSegmentId < 0 ? "cdw" : "sdw" + (gpSegmentId + 1), gpSegmentId < 0 ? 5432 : 6000 + gpSegmentId);
    }

    public static Manifest manifest(String restorePoint, boolean ready, SegmentPoint... points) {
        ObjectNode evidence = Json.object();
        evidence.put("checked_at_utc", "2026-02-01T18:14:07Z");
        return new Manifest(restorePoint, Instant.parse("2026-02-01T18:14:06Z"), ready, SEGMENT_SIZE, List.of(points),
                evidence);
    }

    /** A READY two-instance manifest, coordinator at 0/3016120 and segment 0 at 0/49FD4F8, timeline 1. */
    public static Manifest twoInstances() {
        return manifest("sync_point_20260201_181406", true, point(-1, "0/3016120", 1), point(0, "0/49FD4F8", 1));
    }

    /**
     * Re-computes the digest after an edit, as if the publisher had written the edited content; a signature
     * stays as it was (so it no longer matches: what a forger without the key can do).
     */
    public static String resign(ObjectNode root) {
        root.remove("digest");
        com.fasterxml.jackson.databind.JsonNode signature = root.remove("signature");
        root.put("digest", Json.digest(root));
        if (signature != null) {
            root.set("signature", signature);
        }
        return Json.pretty(root);
    }
}
