package io.whpg.drsync.state;

import static io.whpg.drsync.state.ManifestSamples.manifest;
import static io.whpg.drsync.state.ManifestSamples.point;
import static io.whpg.drsync.state.ManifestSamples.twoInstances;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.whpg.drsync.pg.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestCodecTest {
    private static final String SOURCE = "/m/sync_point_20260201_181406.json";

    private static ObjectNode tree(String json) throws Exception {
        return (ObjectNode) new ObjectMapper().readTree(json);
    }

    @Test
    void roundTripKeepsEveryField() throws Exception {
        Manifest m = twoInstances();
        Manifest back = ManifestCodec.read(ManifestCodec.write(m), SOURCE);
        assertEquals(m, back);
        SegmentPoint seg0 = back.segment(0).orElseThrow();
        assertEquals(Lsn.parse("0/49FD4F8"), seg0.restoreLsn());
        assertEquals("000000010000000000000004", seg0.walFile());
        assertEquals("sdw1", seg0.host());
        assertEquals(6000, seg0.port());
        assertEquals("2026-02-01T18:14:07Z", back.evidence().path("checked_at_utc").asText());
    }

    @Test
    void roundTripOfANotReadyManifestWithEvidenceOnTheCoordinatorOnly() throws Exception {
        ObjectNode evidence = Json.object();
        evidence.putArray("not_yet_archived").add("-1:000000010000000000000004 (archiver has reached nothing)");
        Manifest m = new Manifest("rp-1.a_b", Instant.parse("2026-02-01T18:14:06.123456789Z"), false, 64L << 20,
                List.of(new SegmentPoint(-1, Lsn.parse("0/4000000"), 3, "000000030000000000000000", "1", "", 0)),
                evidence);
        assertEquals(m, ManifestCodec.read(ManifestCodec.write(m), SOURCE));
    }

    @Test
    void theFileIsIndentedForPeopleEndsInANewlineAndCarriesASha256Digest() throws Exception {
        String text = ManifestCodec.write(twoInstances());
        assertTrue(text.endsWith("}\n"));
        assertTrue(text.contains("\n  \"restore_point\" : \"sync_point_20260201_181406\""), text);
        assertTrue(tree(text).path("digest").asText().matches("sha256:[0-9a-f]{64}"));
        assertEquals(text, ManifestCodec.write(twoInstances()), "the same manifest is written the same way");
    }

    @Test
    void keyOrderAndLayoutDoNotChangeTheDigest() throws Exception {
        ObjectNode written = tree(ManifestCodec.write(twoInstances()));
        ObjectNode reversed = Json.object();
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        written.fields().forEachRemaining(fields::add);
        for (int i = fields.size() - 1; i >= 0; i--) {
            reversed.set(fields.get(i).getKey(), fields.get(i).getValue());
        }
        String compact = new ObjectMapper().writeValueAsString(reversed);
        assertFalse(compact.contains("\n"));
        assertEquals(twoInstances(), ManifestCodec.read(compact, SOURCE));
    }

    /** JSON pointers of every value in a written manifest except the digest itself. */
    static Stream<String> everyValue() throws Exception {
        List<String> pointers = new ArrayList<>();
        collect(tree(ManifestCodec.write(twoInstances())), "", pointers);
        pointers.remove("/digest");
        return pointers.stream();
    }

    private static void collect(JsonNode n, String at, List<String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                collect(e.getValue(), at + "/" + e.getKey(), out);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                collect(n.get(i), at + "/" + i, out);
            }
        } else {
            out.add(at);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyValue")
    void editingAnyValueIsCaughtByTheDigest(String pointer) throws Exception {
        ObjectNode root = tree(ManifestCodec.write(twoInstances()));
        String parentPointer = pointer.substring(0, pointer.lastIndexOf('/'));
        String key = pointer.substring(pointer.lastIndexOf('/') + 1);
        JsonNode parent = parentPointer.isEmpty() ? root : root.at(parentPointer);
        JsonNode old = root.at(pointer);
        JsonNode edited = old.isBoolean() ? BooleanNode.valueOf(!old.asBoolean())
                : old.isIntegralNumber() ? LongNode.valueOf(old.asLong() + 1)
                : TextNode.valueOf(old.asText() + "0");
        if (parent.isArray()) {
            ((ArrayNode) parent).set(Integer.parseInt(key), edited);
        } else {
            ((ObjectNode) parent).set(key, edited);
        }
        assertDigestMismatch(root);
    }

    @Test
    void addingRemovingOrReorderingIsCaughtByTheDigest() throws Exception {
        ObjectNode added = tree(ManifestCodec.write(twoInstances()));
        added.put("note", "edited by hand");
        assertDigestMismatch(added);

        ObjectNode removed = tree(ManifestCodec.write(twoInstances()));
        ((ObjectNode) removed.get("segments").get(1)).remove("host");
        assertDigestMismatch(removed);

        ObjectNode reordered = tree(ManifestCodec.write(twoInstances()));
        ArrayNode segs = (ArrayNode) reordered.get("segments");
        JsonNode first = segs.remove(0);
        segs.add(first);
        assertDigestMismatch(reordered);

        ObjectNode otherDigest = tree(ManifestCodec.write(twoInstances()));
        otherDigest.put("digest", tree(ManifestCodec.write(twoInstances().withReadiness(false, Json.object())))
                .get("digest").asText());
        assertDigestMismatch(otherDigest);
    }

    private static void assertDigestMismatch(ObjectNode root) {
        String digest = root.path("digest").asText();
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.read(Json.pretty(root), SOURCE));
        assertEquals(SOURCE + ": digest: content does not match " + digest + " (torn or edited file)", e.getMessage());
    }

    @Test
    void aTornFileIsNotValidJson() {
        String text = ManifestCodec.write(twoInstances());
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestCodec.read(text.substring(0, text.length() / 2), SOURCE));
        assertTrue(e.getMessage().startsWith(SOURCE + ": not valid JSON at line "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aManifestWithoutADigestIsRefused() throws Exception {
        ObjectNode root = tree(ManifestCodec.write(twoInstances()));
        root.remove("digest");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.read(Json.pretty(root), SOURCE));
        assertEquals(SOURCE + ": digest: required", e.getMessage());
    }

    @Test
    void unknownFieldsSignedByTheWriterAreIgnoredForForwardCompatibility() throws Exception {
        ObjectNode root = tree(ManifestCodec.write(twoInstances()));
        root.put("written_by", "a newer publisher");
        ((ObjectNode) root.get("segments").get(0)).put("archive_uri", "s3://bucket/-1");
        assertEquals(twoInstances(), ManifestCodec.read(ManifestSamples.resign(root), SOURCE));
    }

    @Test
    void hostPortAndEvidenceAreOptional() throws Exception {
        ObjectNode root = tree(ManifestCodec.write(twoInstances()));
        root.remove("evidence");
        for (JsonNode s : root.get("segments")) {
            ((ObjectNode) s).remove("host");
            ((ObjectNode) s).remove("port");
        }
        Manifest m = ManifestCodec.read(ManifestSamples.resign(root), SOURCE);
        assertEquals("", m.segment(-1).orElseThrow().host());
        assertEquals(0, m.segment(-1).orElseThrow().port());
        assertTrue(m.evidence().isEmpty());
    }

    @Test
    void theWalFileRuleIsPgWalfileNamesPreviousByte() throws Exception {
        // a restore LSN exactly on a segment boundary belongs to the earlier file, like pg_walfile_name
        Manifest atBoundary = manifest("rp", true, point(-1, "0/9000000", 1));
        assertEquals("000000010000000000000008", atBoundary.segment(-1).orElseThrow().walFile());
        assertEquals(atBoundary, ManifestCodec.read(ManifestCodec.write(atBoundary), SOURCE));

        ObjectNode root = tree(ManifestCodec.write(atBoundary));
        ((ObjectNode) root.get("segments").get(0)).put("wal_file", "000000010000000000000009");
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestCodec.read(ManifestSamples.resign(root), SOURCE));
        assertEquals(SOURCE + ": segments[0].wal_file: \"000000010000000000000009\" does not hold 0/9000000 on "
                + "timeline 1 (expected 000000010000000000000008)", e.getMessage());
    }

    @Test
    void segmentIdsAndTimelinesThatWouldWrapAroundIntoRangeAreRefused() throws Exception {
        ObjectNode root = tree(ManifestCodec.write(twoInstances()));
        ((ObjectNode) root.get("segments").get(0)).set("gp_segment_id", LongNode.valueOf(0xFFFF_FFFFL));
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestCodec.read(ManifestSamples.resign(root), SOURCE));
        assertEquals(SOURCE + ": segments[0].gp_segment_id: expected -1 to 32767, got 4294967295", e.getMessage());

        ObjectNode tli = tree(ManifestCodec.write(twoInstances()));
        ((ObjectNode) tli.get("segments").get(1)).set("timeline", LongNode.valueOf(0x1_0000_0001L));
        e = assertThrows(ManifestException.class, () -> ManifestCodec.read(ManifestSamples.resign(tli), SOURCE));
        assertEquals(SOURCE + ": segments[1].timeline: expected 1 to 2147483647, got 4294967297", e.getMessage());

        ObjectNode small = tree(ManifestCodec.write(twoInstances()));
        ((ObjectNode) small.get("segments").get(1)).set("timeline", IntNode.valueOf(2));
        e = assertThrows(ManifestException.class, () -> ManifestCodec.read(ManifestSamples.resign(small), SOURCE));
        assertEquals(SOURCE + ": segments[1].wal_file: \"000000010000000000000004\" does not hold 0/49FD4F8 on "
                + "timeline 2 (expected 000000020000000000000004)", e.getMessage());
    }
}
