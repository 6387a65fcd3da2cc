package io.whpg.drsync.dr;

import static io.whpg.drsync.state.ManifestSamples.SYSTEM_ID;
import static io.whpg.drsync.state.ManifestSamples.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.archive.LocalDirectoryArchive;
import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.PgSamples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalPreflightTest {
    private static final long SEG = 16L << 20;
    @TempDir
    Path archiveDir;
    private WalArchive archive;

    @BeforeEach
    void archiveWithTheRealHistoryFiles() throws IOException {
        Path seg0 = Files.createDirectories(archiveDir.resolve("0"));
        for (String h : List.of("00000002.history", "00000003.history")) {
            Files.writeString(seg0.resolve(h), PgSamples.read("timeline/" + h));
        }
        archive = new LocalDirectoryArchive(id -> archiveDir.resolve(String.valueOf(id)));
    }

    /** Parked like controldata/shut-down-in-recovery.txt: its next start replays from REDO 0/3000028. */
    private static Floor parked(String at, int timeline) {
        return new Floor(0, Lsn.parse(at), timeline, Lsn.parse("0/3000028"), true, SYSTEM_ID, "test");
    }

    @Test
    void onOneTimelineFromTheRedoSegmentToTheOneHoldingTheNextRecord() {
        assertEquals(List.of("000000010000000000000003", "000000010000000000000004"),
                WalPreflight.needed(parked("0/3016120", 1), point(0, "0/49FD4F8", 1), SEG, archive));
        assertEquals(List.of("000000010000000000000003"),
                WalPreflight.needed(parked("0/3016120", 1), point(0, "0/3016200", 1), SEG, archive));
    }

    @Test
    void aRestorePointEndingOnASegmentBoundaryNeedsTheNextSegmentForItsNextRecord() {
        // measured: 0/9000000 stops before the record at 0/9000028, read from segment 9
        assertEquals(List.of("000000010000000000000003", "000000010000000000000004", "000000010000000000000005",
                        "000000010000000000000006", "000000010000000000000007", "000000010000000000000008",
                        "000000010000000000000009"),
                WalPreflight.needed(parked("0/3016120", 1), point(0, "0/9000000", 1), SEG, archive));
    }

    @Test
    void aFreshBaseBackupReplaysFromItsStart() {
        Floor backup = new Floor(0, Lsn.parse("0/2000100"), 1, Lsn.parse("0/2000028"), false, SYSTEM_ID, "base backup");
        assertEquals(List.of("000000010000000000000002", "000000010000000000000003"),
                WalPreflight.needed(backup, point(0, "0/3016120", 1), SEG, archive));
    }

    @Test
    void acrossATimelineSwitchTheHistoryFileAndEachSegmentOnItsTimeline() {
        // 00000002.history: timeline 1 ran to 0/5000000, a segment boundary: segment 5 is timeline 2's
        assertEquals(List.of("00000002.history", "000000010000000000000003", "000000010000000000000004",
                        "000000020000000000000005"),
                WalPreflight.needed(parked("0/3016120", 1), point(0, "0/5000200", 2), SEG, archive));
        // 00000003.history: timeline 2 ran to 0/5000118, inside segment 5, which is then timeline 3's
        assertEquals(List.of("00000003.history", "000000010000000000000003", "000000010000000000000004",
                        "000000030000000000000005", "000000030000000000000006"),
                WalPreflight.needed(parked("0/3016120", 1), point(0, "0/6000100", 3), SEG, archive));
    }

    @Test
    void aMissingHistoryFileIsAnError() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> WalPreflight.needed(parked("0/3016120", 1), point(0, "0/6000100", 4), SEG, archive));
        assertTrue(e.getMessage().startsWith("cannot read archive file " + archiveDir.resolve("0/00000004.history")),
                e.getMessage());
    }

    @Test
    void missingKeepsReplayOrder() {
        List<String> needed = List.of("00000002.history", "000000010000000000000003", "000000010000000000000004",
                "000000020000000000000005");
        assertEquals(List.of(), WalPreflight.missing(needed, Set.copyOf(needed)));
        assertEquals(List.of("000000010000000000000004", "000000020000000000000005"),
                WalPreflight.missing(needed, Set.of("00000002.history", "000000010000000000000003",
                        "000000010000000000000005", "000000010000000000000004.partial")));
        assertEquals(needed, WalPreflight.missing(needed, Set.of()));
    }

    /** 100,000 names in a manifest's wal_files_needed (cost 77 s with a list's contains): merged into a set and checked. */
    @Test
    void aHundredThousandPublishedNamesAreMergedIntoASetAndChecked() {
        List<String> published = new java.util.ArrayList<>();
        for (long segno = 0; segno < 100_000; segno++) {
            published.add(new io.whpg.drsync.pg.WalFile(1, segno, SEG).name());
        }
        published.add("00000002.history");
        List<String> needed = List.of(published.get(3), published.get(4));
        Set<String> listing = new java.util.HashSet<>(published.subList(0, 99_990));

        java.util.Collection<String> all = WalPreflight.withPublished(needed, published);
        List<String> missing = WalPreflight.missing(all, listing);

        assertEquals(100_000, all.size(), "each name once, the history file left out");
        assertEquals(List.of(published.get(3), published.get(4)), all.stream().limit(2).toList(), "replay order first");
        assertEquals(published.subList(99_990, 100_000), missing);
        assertTrue(all instanceof Set, "set-based, never a list's contains per name: " + all.getClass());
    }
}
