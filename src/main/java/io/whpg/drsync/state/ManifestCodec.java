package io.whpg.drsync.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.WalFile;
import java.security.PrivateKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Manifest JSON in the seed's shape plus a content digest. Reading validates every field and the
 * digest, so a torn, edited or foreign file is reported and never applied.
 */
public final class ManifestCodec {
    private ManifestCodec() {
    }

    public static String write(Manifest m) {
        return write(m, null);
    }

    /**
     * With {@code key}, the manifest also carries {@code signature}: Ed25519 over the same canonical bytes the
     * digest covers (every field but digest and signature).
     */
    public static String write(Manifest m, PrivateKey key) {
        ObjectNode root = Json.object();
        root.put("restore_point", m.restorePoint());
        root.put("created_at_utc", m.createdAtUtc().toString());
        root.put("ready", m.ready());
        root.put("wal_segment_size", m.walSegmentSize());
        ArrayNode segments = root.putArray("segments");
        for (SegmentPoint s : m.segments()) {
            ObjectNode n = segments.addObject();
            n.put("gp_segment_id", s.gpSegmentId());
            n.put("restore_lsn", s.restoreLsn().toString());
            n.put("timeline", s.timeline());
            n.put("wal_file", s.walFile());
            n.put("system_identifier", s.systemIdentifier());
            n.put("host", s.host());
            n.put("port", s.port());
        }
        root.set("evidence", m.evidence() == null ? Json.object() : m.evidence());
        return Json.pretty(seal(root, key));
    }

    /** Parses and validates; {@code source} (usually the file name) starts every error message. */
    public static Manifest read(String json, String source) throws ManifestException {
        return read(json, source, null);
    }

    /** Adds digest and, with {@code key}, signature to {@code root} (a manifest or LATEST.json). */
    static ObjectNode seal(ObjectNode root, PrivateKey key) {
        byte[] canonical = Json.canonical(root);
        root.put("digest", Json.digest(root));
        if (key != null) {
            root.put("signature", ManifestKeys.sign(key, canonical));
        }
        return root;
    }

    /** As {@link #read(String, String)}, and with {@code trust} the signature is checked too (after the digest). */
    public static Manifest read(String json, String source, ManifestTrust trust) throws ManifestException {
        JsonNode root;
        try {
            root = Json.readStrict(json);
        } catch (JsonProcessingException e) {
            throw new ManifestException(source + ": " + Json.notValid(e));
        }
        if (root == null || root.isMissingNode()) {
            throw new ManifestException(source + ": expected a JSON object, got an empty document");
        }
        if (!root.isObject()) {
            throw new ManifestException(source + ": expected a JSON object, got "
                    + (root.isArray() ? "an array" : "a " + root.getNodeType().name().toLowerCase()));
        }
        ObjectNode obj = (ObjectNode) root.deepCopy();
        JsonNode digest = obj.remove("digest");
        JsonNode signature = obj.remove("signature");
        if (digest == null || digest.isNull()) {
            throw new ManifestException(source + ": digest: required");
        }
        if (!digest.isTextual()) {
            throw new ManifestException(source + ": digest: expected a \"sha256:<hex>\" string, got " + digest);
        }
        String actual = Json.digest(obj);
        if (!actual.equals(digest.asText())) {
            throw new ManifestException(source + ": digest: content does not match " + digest.asText()
                    + " (torn or edited file)");
        }
        if (trust != null) {
            trust.check(source, Json.canonical(obj), signature);
        }
        String name;
        try {
            name = RestorePointName.validate("restore_point", text(obj, "restore_point", source));
        } catch (IllegalArgumentException e) {
            throw new ManifestException(source + ": " + e.getMessage());
        }
        Instant created;
        String createdText = text(obj, "created_at_utc", source);
        try {
            created = Instant.parse(createdText);
        } catch (DateTimeParseException e) {
            throw new ManifestException(source + ": created_at_utc: expected an ISO-8601 UTC time, got \""
                    + createdText + "\"");
        }
        JsonNode ready = obj.get("ready");
        if (ready == null || !ready.isBoolean()) {
            throw new ManifestException(source + ": ready: expected true or false, got " + ready);
        }
        long segSize = integer(obj, "wal_segment_size", source);
        if (segSize < (1 << 20) || segSize > (1 << 30) || Long.bitCount(segSize) != 1) {
            throw new ManifestException(source + ": wal_segment_size: expected a power of two from 1 MB to 1 GB, got "
                    + segSize);
        }
        JsonNode segs = obj.get("segments");
        if (segs == null || !segs.isArray() || segs.isEmpty()) {
            throw new ManifestException(source + ": segments: expected a non-empty array");
        }
        List<SegmentPoint> points = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < segs.size(); i++) {
            String at = "segments[" + i + "]";
            JsonNode s = segs.get(i);
            if (!s.isObject()) {
                throw new ManifestException(source + ": " + at + ": expected an object, got " + s);
            }
            // Greenplum's content ids are smallint; checked as long, so no value wraps around into range
            long id = integer(s, at + ".gp_segment_id", "gp_segment_id", source);
            if (id < -1 || id > Short.MAX_VALUE) {
                throw new ManifestException(source + ": " + at + ".gp_segment_id: expected -1 to " + Short.MAX_VALUE
                        + ", got " + id);
            }
            if (!seen.add((int) id)) {
                throw new ManifestException(source + ": " + at + ".gp_segment_id: duplicate segment " + id);
            }
            String lsnText = text(s, at + ".restore_lsn", "restore_lsn", source);
            Lsn lsn;
            try {
                lsn = Lsn.parse(lsnText);
            } catch (IllegalArgumentException e) {
                throw new ManifestException(source + ": " + at + ".restore_lsn: " + e.getMessage());
            }
            long tli = integer(s, at + ".timeline", "timeline", source);
            if (tli < 1 || tli > Integer.MAX_VALUE) {
                throw new ManifestException(source + ": " + at + ".timeline: expected 1 to " + Integer.MAX_VALUE
                        + ", got " + tli);
            }
            String walFile = text(s, at + ".wal_file", "wal_file", source);
            String expected = WalFile.containing(lsn, (int) tli, segSize).name();
            if (!expected.equals(walFile)) {
                throw new ManifestException(source + ": " + at + ".wal_file: \"" + walFile + "\" does not hold "
                        + lsn + " on timeline " + tli + " (expected " + expected + ")");
            }
            String sysId = text(s, at + ".system_identifier", "system_identifier", source);
            if (!sysId.matches("[0-9]{1,20}")) {
                throw new ManifestException(source + ": " + at + ".system_identifier: expected digits, got \"" + sysId + "\"");
            }
            String host = s.path("host").asText("");
            int port = s.path("port").asInt(0);
            points.add(new SegmentPoint((int) id, lsn, (int) tli, walFile, sysId, host, port));
        }
        JsonNode evidence = obj.get("evidence");
        return new Manifest(name, created, ready.asBoolean(), segSize, points,
                evidence != null && evidence.isObject() ? (ObjectNode) evidence : Json.object());
    }

    private static String text(JsonNode n, String field, String source) throws ManifestException {
        return text(n, field, field, source);
    }

    private static String text(JsonNode n, String path, String field, String source) throws ManifestException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new ManifestException(source + ": " + path + ": required");
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new ManifestException(source + ": " + path + ": expected a non-empty string, got " + v);
        }
        return v.asText();
    }

    private static long integer(JsonNode n, String field, String source) throws ManifestException {
        return integer(n, field, field, source);
    }

    private static long integer(JsonNode n, String path, String field, String source) throws ManifestException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new ManifestException(source + ": " + path + ": required");
        }
        if (!v.isIntegralNumber()) {
            throw new ManifestException(source + ": " + path + ": expected an integer, got " + v);
        }
        if (!v.canConvertToLong()) {
            throw new ManifestException(source + ": " + path + ": " + v + " is out of range");
        }
        return v.asLong();
    }
}
