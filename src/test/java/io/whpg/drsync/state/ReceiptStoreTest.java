package io.whpg.drsync.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptStoreTest {
    @TempDir
    Path dir;

    private static ObjectNode receipt(String target, String checkedAt, String status, boolean advanced) {
        ObjectNode r = Json.object();
        r.put("current_restore_point", "sync_point_20260201_181406");
        r.put("target_restore_point", target);
        r.put("checked_at_utc", checkedAt);
        r.put("mode", "shutdown");
        r.put("status", status);
        r.put("advanced", advanced);
        return r;
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void successAndFailureNamesAreDistinct() throws IOException {
        ReceiptStore store = new ReceiptStore(dir);
        Path failed = store.write(receipt("sync_point_20260201_181640", "2026-02-01T18:35:49.123Z", "timeout_waiting_for_wal", false));
        Path ok = store.write(receipt("sync_point_20260201_181640", "2026-02-01T18:36:19Z", "reached_then_shutdown", true));
        assertEquals("sync_point_20260201_181640.20260201T183549.123Z.timeout_waiting_for_wal.receipt.json",
                failed.getFileName().toString());
        assertEquals("sync_point_20260201_181640.receipt.json", ok.getFileName().toString());
        assertEquals("timeout_waiting_for_wal", Json.MAPPER.readTree(Files.readString(failed)).path("status").asText());
        assertEquals(List.of(failed.getFileName().toString(), ok.getFileName().toString()).stream().sorted().toList(), files());
    }

    @Test
    void runsInTheSameMillisecondWithTheSameOutcomeDoNotOverwriteEachOther() throws IOException {
        ReceiptStore store = new ReceiptStore(dir);
        Set<Path> written = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            written.add(store.write(receipt("none", "2026-02-01T18:35:49Z", "nothing_new", false)));
        }
        assertEquals(3, written.size());
        assertEquals(List.of("none.20260201T183549.000Z.nothing_new-2.receipt.json",
                "none.20260201T183549.000Z.nothing_new-3.receipt.json",
                "none.20260201T183549.000Z.nothing_new.receipt.json"), files());
    }

    @Test
    void aSecondAdvancementToTheSameTargetKeepsTheFirstReceipt() throws IOException {
        ReceiptStore store = new ReceiptStore(dir);
        Path first = store.write(receipt("rp_20260201_181640", "2026-02-01T18:36:19Z", "reached_then_shutdown", true));
        String firstContent = Files.readString(first);
        Path second = store.write(receipt("rp_20260201_181640", "2026-02-01T19:00:00Z", "reached_then_shutdown", true));
        assertNotEquals(first, second);
        assertEquals("rp_20260201_181640.20260201T190000.000Z.reached_then_shutdown.receipt.json",
                second.getFileName().toString());
        assertEquals(firstContent, Files.readString(first));
    }

    @Test
    void recentIsNewestFirstByTimeEvenWhenTheTextSortsOtherwise() throws IOException {
        ReceiptStore store = new ReceiptStore(dir);
        // "…49Z" > "…49.5Z" > "…49.123Z" as text, yet 49.5 is the newest and 49.000 the oldest
        store.write(receipt("rp1", "2026-02-01T18:35:49Z", "wal_missing", false));
        store.write(receipt("rp2", "2026-02-01T18:35:49.500Z", "wal_missing", false));
        store.write(receipt("rp3", "2026-02-01T18:35:49.123Z", "wal_missing", false));
        store.write(receipt("rp4", "2026-02-01T18:35:48.999999Z", "wal_missing", false));
        List<ObjectNode> recent = store.recent(10);
        assertEquals(List.of("rp2", "rp3", "rp1", "rp4"),
                recent.stream().map(r -> r.path("target_restore_point").asText()).toList());
        assertTrue(recent.get(0).path("file").asText().startsWith("rp2.20260201T183549.500Z."));
        assertEquals(List.of("rp2", "rp3"), store.recent(2).stream().map(r -> r.path("target_restore_point").asText()).toList());
    }

    @Test
    void recentOfNoDirectoryIsEmpty() throws IOException {
        assertEquals(List.of(), new ReceiptStore(dir.resolve("none")).recent(5));
    }

    @Test
    void recentIgnoresOtherFiles() throws IOException {
        ReceiptStore store = new ReceiptStore(dir);
        store.write(receipt("rp1", "2026-02-01T18:35:49Z", "wal_missing", false));
        Files.writeString(dir.resolve("notes.json"), "{}");
        Files.writeString(dir.resolve(".rp2.receipt.json.tmp-12"), "{");
        assertEquals(1, store.recent(5).size());
    }

    @Test
    void namesThatWouldLeaveTheDirectoryAreRefused() {
        ReceiptStore store = new ReceiptStore(dir);
        assertThrows(IllegalArgumentException.class,
                () -> store.write(receipt("../rp1", "2026-02-01T18:35:49Z", "wal_missing", false)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.write(receipt("rp1", "2026-02-01T18:35:49Z", "x/../../y", false)));
        assertEquals("status: invalid receipt status \"x/../../y\"", e.getMessage());
    }

    /**
     * Things planted in the receipts dir: a FIFO named like a receipt is listed with its problem, never opened (it
     * would block dr status forever); a dangling symlink at the success name makes the receipt take a stamped name
     * instead of failing the cycle or writing through it.
     */
    @Test
    void plantedFifosAndLinksNeitherBlockNorRedirect() throws Exception {
        ReceiptStore store = new ReceiptStore(dir);
        store.write(receipt("rp1", "2026-02-01T18:35:49Z", "reached_then_shutdown", true));
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("zz.receipt.json").toString()).start().waitFor());
        List<ObjectNode> recent = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(5), () -> store.recent(10));
        assertEquals(2, recent.size());
        assertEquals(List.of("zz.receipt.json"), store.recent(1).stream().map(r -> r.path("file").asText()).toList(),
                "a damaged receipt is listed first, never cut off by the limit");
        assertEquals("unreadable: not a regular file (a FIFO, socket or device)",
                recent.stream().filter(r -> r.path("file").asText().equals("zz.receipt.json")).findFirst().orElseThrow()
                        .path("error").asText());
        Path outside = Files.writeString(dir.resolveSibling(dir.getFileName() + "-outside"), "keep");
        Files.createSymbolicLink(dir.resolve("rp2.receipt.json"), outside.resolveSibling("missing-" + outside.getFileName()));
        Path p = store.write(receipt("rp2", "2026-02-01T18:36:49Z", "reached_then_shutdown", true));
        assertEquals("rp2.20260201T183649.000Z.reached_then_shutdown.receipt.json", p.getFileName().toString());
        assertTrue(Files.isSymbolicLink(dir.resolve("rp2.receipt.json")));
        assertTrue(Files.notExists(outside.resolveSibling("missing-" + outside.getFileName())));
        Files.delete(outside);
    }
}
