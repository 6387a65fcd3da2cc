package io.whpg.drsync.state;

import static io.whpg.drsync.state.ManifestSamples.manifest;
import static io.whpg.drsync.state.ManifestSamples.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestStoreTest {
    @TempDir
    Path dir;

    private ManifestStore store() {
        return new ManifestStore(dir.resolve("manifests"), dir.resolve("LATEST.json"));
    }

    private static Manifest named(String name) {
        return manifest(name, true, point(-1, "0/3016120", 1));
    }

    /** readNewestFirst's order, checked to be listed()'s too (the daemon's select and retention use that one). */
    private List<String> listed(ManifestStore store) throws IOException {
        List<String> read = store.readNewestFirst().stream().map(e -> e.path().getFileName().toString()).toList();
        assertEquals(read, store.listNewestFirst().stream().map(p -> p.getFileName().toString()).toList());
        return read;
    }

    @Test
    void writeThenReadByName() throws Exception {
        ManifestStore store = store();
        Manifest m = ManifestSamples.twoInstances();
        assertFalse(store.exists(m.restorePoint()));
        store.write(m);
        assertTrue(store.exists(m.restorePoint()));
        assertEquals(dir.resolve("manifests/sync_point_20260201_181406.json"), store.pathOf(m.restorePoint()));
        assertEquals(m, store.read(m.restorePoint()));
        try (Stream<Path> files = Files.list(dir.resolve("manifests"))) {
            assertEquals(List.of("sync_point_20260201_181406.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void rewritingANotReadyManifestReadyReplacesIt() throws Exception {
        ManifestStore store = store();
        Manifest notReady = ManifestSamples.twoInstances().withReadiness(false, Json.object());
        store.write(notReady);
        assertFalse(store.read(notReady.restorePoint()).ready());
        store.write(notReady.withReadiness(true, Json.object()));
        assertTrue(store.read(notReady.restorePoint()).ready());
    }

    @Test
    void aMissingManifestIsNamedInTheError() {
        ManifestException e = assertThrows(ManifestException.class, () -> store().read("rp9"));
        assertEquals(dir.resolve("manifests/rp9.json") + ": no manifest for restore point \"rp9\"", e.getMessage());
    }

    @Test
    void namesThatWouldLeaveTheDirectoryAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store().pathOf("../LATEST"));
        assertTrue(e.getMessage().startsWith("restore point: invalid restore point name \"../LATEST\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store().pathOf(""));
    }

    @Test
    void aCopyUnderAnotherNameIsRefused() throws Exception {
        ManifestStore store = store();
        store.write(named("rp_20260201_181406"));
        Path copy = dir.resolve("manifests/rp_20260201_181407.json");
        Files.copy(store.pathOf("rp_20260201_181406"), copy);
        ManifestException e = assertThrows(ManifestException.class, () -> store.read("rp_20260201_181407"));
        assertEquals(copy + ": restore_point: \"rp_20260201_181406\" does not match the file name", e.getMessage());
    }

    @Test
    void latestNamesTheManifestWrittenBeforeIt() throws Exception {
        ManifestStore store = store();
        assertEquals(Optional.empty(), store.latest());
        Manifest m = ManifestSamples.twoInstances();
        store.write(m);
        store.writeLatest(m);
        ObjectNode latest = store.latest().orElseThrow();
        assertEquals("sync_point_20260201_181406", latest.path("restore_point").asText());
        assertTrue(latest.path("ready").asBoolean());
        assertEquals("2026-02-01T18:14:06Z", latest.path("created_at_utc").asText());
        assertEquals(store.pathOf(m.restorePoint()).toString(), latest.path("manifest").asText());
    }

    @Test
    void noDirectoryListsNothing() throws IOException {
        assertEquals(List.of(), store().readNewestFirst());
    }

    @Test
    void listingIsNewestStampFirstAndSkipsTemporaryAndOtherFiles() throws Exception {
        ManifestStore store = store();
        for (String name : List.of("sync_point_20260201_181406", "sync_point_20260201_181640", "sync_point_20260131_235959")) {
            store.write(named(name));
        }
        Files.writeString(dir.resolve("manifests/.sync_point_20260201_181700.json.tmp-77"), "{");
        Files.writeString(dir.resolve("manifests/notes.txt"), "");
        assertEquals(List.of("sync_point_20260201_181640.json", "sync_point_20260201_181406.json",
                "sync_point_20260131_235959.json"), listed(store));
    }

    @Test
    void aChangedPrefixDoesNotPutOlderManifestsFirst() throws Exception {
        ManifestStore store = store();
        store.write(named("sync_point_20260201_181406"));
        store.write(named("dr_20260201_181640"));
        store.write(named("a_20260201_181500"));
        assertEquals(List.of("dr_20260201_181640.json", "a_20260201_181500.json", "sync_point_20260201_181406.json"),
                listed(store));
    }

    @Test
    void latestJsonInsideTheManifestDirectoryIsNotAManifest() throws Exception {
        ManifestStore store = new ManifestStore(dir, dir.resolve("LATEST.json"));
        Manifest m = named("sync_point_20260201_181406");
        store.write(m);
        store.writeLatest(m);
        assertEquals(List.of("sync_point_20260201_181406.json"), listed(store));
    }

    @Test
    void aTornLatestJsonIsOneLineNamingTheFile(@TempDir Path tmp) throws IOException {
        Path latest = tmp.resolve("LATEST.json");
        Files.writeString(latest, "{\n  \"restore_point\" : \"sync_po");
        IOException e = assertThrows(IOException.class, () -> new ManifestStore(tmp, latest).latest());
        assertEquals(latest + ": not valid JSON at line 2 column 29: Unexpected end-of-input: was expecting closing quote for a string value "
                + "(torn or edited file)", e.getMessage());
        Files.writeString(latest, "[]");
        assertEquals(latest + ": expected a JSON object (torn or edited file)",
                assertThrows(IOException.class, () -> new ManifestStore(tmp, latest).latest()).getMessage());
    }

    @Test
    void aFifoNamedLikeAManifestIsSkippedWithoutEverBeingOpened() throws Exception {
        ManifestStore store = store();
        store.write(named("sync_point_20260201_181406"));
        Path fifo = dir.resolve("manifests/sync_point_20260201_181500.json");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        List<ManifestStore.Entry> entries = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(10), store::readNewestFirst);
        assertEquals(fifo + ": cannot read: not a regular file (a FIFO, socket or device)", entries.get(0).problem());
        assertEquals("sync_point_20260201_181406", entries.get(1).manifest().orElseThrow().restorePoint());
    }

    @Test
    void aSymlinkedOrOversizedManifestIsRefusedWithOneLine() throws Exception {
        ManifestStore store = store();
        store.write(named("sync_point_20260201_181406"));
        Path link = Files.createSymbolicLink(dir.resolve("manifests/sync_point_20260201_181407.json"),
                store.pathOf("sync_point_20260201_181406"));
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestStore.readFile(link));
        assertEquals(link + ": cannot read: not a regular file (a symlink)", e.getMessage());
        Path big = dir.resolve("manifests/sync_point_20260201_181408.json");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(ManifestStore.MAX_BYTES + 1);
        }
        e = assertThrows(ManifestException.class, () -> ManifestStore.readFile(big));
        assertEquals(big + ": cannot read: " + (ManifestStore.MAX_BYTES + 1) + " bytes, more than the "
                + ManifestStore.MAX_BYTES + " bytes such a file may have", e.getMessage());
    }

    @Test
    void aPointStampedAYearAheadIsOrderedByItsLsnAndReported() throws Exception {
        ManifestStore store = store();
        Manifest future = new Manifest("sync_point_20270201_181406", java.time.Instant.parse("2027-02-01T18:14:06Z"), true,
                16L << 20, List.of(point(-1, "0/3016120", 1)), Json.object());
        store.write(future);
        store.write(manifest("sync_point_20260201_181500", true, point(-1, "0/4000000", 1)));
        assertEquals(List.of("sync_point_20260201_181500.json", "sync_point_20270201_181406.json"), listed(store));
        java.time.Instant now = java.time.Instant.parse("2026-02-01T18:20:00Z");
        assertEquals("sync_point_20270201_181406: created_at_utc 2027-02-01T18:14:06Z is in the future (now "
                + now + "): publisher clock wrong or manifest planted", ManifestStore.futureStamp(future, now).orElseThrow());
        assertEquals(Optional.empty(), ManifestStore.futureStamp(named("sync_point_20260201_181500"), now));
    }

    @Test
    void aNameWithANewlineIsPrintedOnOneLine() throws Exception {
        ManifestStore store = store();
        Files.createDirectories(dir.resolve("manifests"));
        Path odd = Files.writeString(dir.resolve("manifests/evil\nINFO advanced.json"), "{");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestStore.readFile(odd));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains("evil\\x0aINFO advanced.json"), e.getMessage());
    }

    @Test
    void aReservedNameCannotBeReservedAgainNorOnceItHasAManifest() throws Exception {
        ManifestStore store = store();
        assertTrue(store.reserve("sync_point_20260201_181406"));
        assertFalse(store.reserve("sync_point_20260201_181406"));
        store.write(named("sync_point_20260201_181406"));
        store.release("sync_point_20260201_181406");
        assertFalse(store.reserve("sync_point_20260201_181406"));
        assertEquals(List.of("sync_point_20260201_181406.json"), listed(store));
    }

    @Test
    void aHeartbeatNamesTheReadyPointAgainWithItsCheckTimeAndANewPointDropsIt() throws Exception {
        ManifestStore store = store();
        Manifest p = named("sync_point_20260201_181406");
        store.write(p);
        store.writeLatest(p);
        assertEquals(Optional.empty(), ManifestStore.unchangedCheckedAt(store.latest().orElseThrow(), p.restorePoint()));
        java.time.Instant t = java.time.Instant.parse("2026-02-01T18:20:00Z");
        store.writeHeartbeat(p, t);
        ObjectNode latest = store.latest().orElseThrow();
        assertEquals(p.restorePoint(), latest.path("restore_point").asText());
        assertEquals(Optional.of(t), ManifestStore.unchangedCheckedAt(latest, p.restorePoint()));
        assertEquals(Optional.empty(), ManifestStore.unchangedCheckedAt(latest, "sync_point_20260201_181000"),
                "a heartbeat speaks only for the point it names");
        assertEquals(List.of("sync_point_20260201_181406.json"), listed(store), "a heartbeat is no manifest");
        Manifest q = named("sync_point_20260201_182500");
        store.write(q);
        store.writeLatest(q);
        assertEquals(Optional.empty(), ManifestStore.unchangedCheckedAt(store.latest().orElseThrow(), q.restorePoint()));
        latest.put(ManifestStore.UNCHANGED_CHECKED_AT, "yesterday");
        assertEquals(Optional.empty(), ManifestStore.unchangedCheckedAt(latest, p.restorePoint()), "an odd time is no heartbeat");
    }
}
