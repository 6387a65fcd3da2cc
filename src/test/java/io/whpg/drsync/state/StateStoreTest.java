package io.whpg.drsync.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateStoreTest {
    @TempDir
    Path dir;

    @Test
    void noFileMeansNoCurrentRestorePointYet() throws IOException {
        assertEquals(Optional.empty(), new StateStore(dir).current());
        assertEquals(Optional.empty(), new StateStore(dir.resolve("not/created/yet")).current());
    }

    @Test
    void advanceWritesOneLineAndCurrentReadsItBack() throws IOException {
        StateStore state = new StateStore(dir.resolve("dr_state"));
        state.advance("sync_point_20260201_181406");
        assertEquals("sync_point_20260201_181406\n",
                Files.readString(dir.resolve("dr_state/current_restore_point.txt"), StandardCharsets.UTF_8));
        assertEquals(Optional.of("sync_point_20260201_181406"), state.current());
        state.advance("sync_point_20260201_181640");
        assertEquals(Optional.of("sync_point_20260201_181640"), state.current());
    }

    @Test
    void advanceLeavesNoTemporaryFileBehind() throws IOException {
        StateStore state = new StateStore(dir);
        state.advance("rp1");
        state.advance("rp2");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(StateStore.FILE_NAME), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aReaderNeverSeesATornFileWhileTheStateAdvances() throws Exception {
        StateStore state = new StateStore(dir);
        state.advance("rp_0000");
        AtomicBoolean done = new AtomicBoolean();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Set<String> errors = ConcurrentHashMap.newKeySet();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    seen.add(state.current().orElse("<none>"));
                } catch (IOException e) {
                    errors.add(e.getMessage());
                }
            }
        });
        reader.start();
        for (int i = 1; i <= 100; i++) {
            state.advance(String.format("rp_%04d_%s", i, "x".repeat(i % 40)));
        }
        done.set(true);
        reader.join();
        assertEquals(Set.of(), errors);
        assertTrue(seen.stream().allMatch(s -> s.startsWith("rp_")), seen.toString());
    }

    @Test
    void aLeftoverTemporaryFileFromACrashIsIgnored() throws IOException {
        StateStore state = new StateStore(dir);
        state.advance("rp1");
        Files.writeString(dir.resolve("." + StateStore.FILE_NAME + ".tmp-4242"), "rp2 half writ");
        assertEquals(Optional.of("rp1"), state.current());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rp1", "rp1\nrp2\n", "", "\n", "\n\n", "rp1\n\n"})
    void aTornFileIsAnErrorNotAGuess(String content) throws IOException {
        Path file = dir.resolve(StateStore.FILE_NAME);
        Files.writeString(file, content);
        IOException e = assertThrows(IOException.class, () -> new StateStore(dir).current());
        String expected = content.equals("\n") ? file + ": invalid restore point name \"\": expected 1-63 characters of "
                + "[A-Za-z0-9_.-], not starting with '.'"
                : file + ": expected one line ending in a newline, got " + content.length() + " bytes (torn or edited file)";
        assertEquals(expected, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../rp1", "rp 1", "rp';--", ".rp1", "\u0000rp"})
    void aGarbageNameIsAnError(String name) throws IOException {
        Path file = dir.resolve(StateStore.FILE_NAME);
        Files.writeString(file, name + "\n");
        IOException e = assertThrows(IOException.class, () -> new StateStore(dir).current());
        assertTrue(e.getMessage().startsWith(file + ": invalid restore point name "), e.getMessage());
    }

    @Test
    void advanceRefusesAnInvalidNameAndKeepsTheState() throws IOException {
        StateStore state = new StateStore(dir);
        state.advance("rp1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> state.advance("rp/2"));
        assertEquals("restore point: invalid restore point name \"rp/2\": expected 1-63 characters of [A-Za-z0-9_.-], "
                + "not starting with '.'", e.getMessage());
        assertEquals(Optional.of("rp1"), state.current());
    }

    @Test
    void departRemovesTheStateAndNamesTheJourneyUntilTheTargetIsVerified() throws IOException {
        StateStore state = new StateStore(dir);
        state.advance("rp1");
        Instant since = Instant.parse("2026-02-01T18:35:49Z");
        state.depart(Optional.of("rp1"), "rp2", since);
        assertEquals(Optional.empty(), state.current());
        assertEquals(Optional.of(new StateStore.Transit(Optional.of("rp1"), "rp2", since)), state.transit());
        assertEquals("left rp1 for rp2 at 2026-02-01T18:35:49Z", state.transit().orElseThrow().describe());
        state.advance("rp2");
        assertEquals(Optional.of("rp2"), state.current());
        assertEquals(Optional.empty(), state.transit());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(StateStore.FILE_NAME), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aFirstDepartureHasNoOrigin() throws IOException {
        StateStore state = new StateStore(dir);
        state.depart(Optional.empty(), "rp1", Instant.parse("2026-02-01T18:35:49Z"));
        assertEquals(Optional.empty(), state.transit().orElseThrow().from());
        assertEquals("left (no verified point) for rp1 at 2026-02-01T18:35:49Z", state.transit().orElseThrow().describe());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"from\" : \"rp1\", \"to\" : \"rp", "[]", "{\"from\":null,\"to\":\"rp 2\",\"since_utc\":\"2026-02-01T18:35:49Z\"}",
            "{\"from\":null,\"to\":\"rp2\",\"since_utc\":\"yesterday\"}", "{\"from\":null,\"since_utc\":\"2026-02-01T18:35:49Z\"}"})
    void aTornOrForeignTransitFileIsAnErrorNotAGuess(String content) throws IOException {
        Files.writeString(dir.resolve(StateStore.TRANSIT_FILE_NAME), content);
        IOException e = assertThrows(IOException.class, () -> new StateStore(dir).transit());
        assertTrue(e.getMessage().startsWith(dir.resolve(StateStore.TRANSIT_FILE_NAME) + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("(torn or edited file)"), e.getMessage());
    }

    /** Planted in place of a state file, a FIFO would block a reader forever, holding the consumer lock: never opened. */
    @Test
    void aFifoOrHugeFileInPlaceOfAStateFileIsOneLineNeverABlock() throws Exception {
        Path stateFile = dir.resolve(StateStore.FILE_NAME);
        assertEquals(0, new ProcessBuilder("mkfifo", stateFile.toString()).start().waitFor());
        IOException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                () -> assertThrows(IOException.class, () -> new StateStore(dir).current()));
        assertEquals(stateFile + ": cannot read: not a regular file (a FIFO, socket or device) (torn or edited file)",
                e.getMessage());
        Path transit = dir.resolve(StateStore.TRANSIT_FILE_NAME);
        Files.write(transit, new byte[(int) StateStore.MAX_BYTES + 1]);
        assertEquals(transit + ": cannot read: " + (StateStore.MAX_BYTES + 1) + " bytes, more than the "
                + StateStore.MAX_BYTES + " bytes such a file may have (torn or edited file)",
                assertThrows(IOException.class, () -> new StateStore(dir).transit()).getMessage());
    }
}
