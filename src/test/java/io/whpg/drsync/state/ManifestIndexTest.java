package io.whpg.drsync.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.whpg.drsync.state.ManifestIndex.Summary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestIndexTest {
    @TempDir
    Path dir;

    private final ManifestIndex index = new ManifestIndex();
    private final AtomicInteger reads = new AtomicInteger();
    /** A stand-in for reading a manifest: the file's text becomes the summary's problem. */
    private final Function<Path, Summary> read = p -> {
        reads.incrementAndGet();
        try {
            return Summary.invalid(Files.readString(p), "test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };

    @Test
    void anUnchangedFileIsReadOnceAnEditedOrReplacedOneAgain() throws Exception {
        Path f = Files.writeString(dir.resolve("a.json"), "one");
        assertEquals("one", index.summary(f, read).problem());
        assertEquals("one", index.summary(f, read).problem());
        assertEquals(1, reads.get());

        Thread.sleep(50); // past the file system's timestamp granularity: the edit below gets a new ctime
        Files.writeString(f, "two"); // in place, same size
        assertEquals("two", index.summary(f, read).problem());

        Path t = Files.writeString(dir.resolve(".t"), "six");
        Files.move(t, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE); // another inode
        assertEquals("six", index.summary(f, read).problem());
        assertEquals(3, reads.get());
    }

    @Test
    void aFileThatCannotBeStatedIsReadEveryTimeAndNeverKept() {
        Path missing = dir.resolve("gone.json");
        Function<Path, Summary> absent = p -> {
            reads.incrementAndGet();
            return Summary.invalid("cannot read", "test");
        };
        index.summary(missing, absent);
        index.summary(missing, absent);
        assertEquals(2, reads.get());
        assertEquals(0, index.size());
    }

    @Test
    void filesNoLongerListedAndSummariesReadUnderAnotherTrustAreForgotten() throws Exception {
        Path a = Files.writeString(dir.resolve("a.json"), "a");
        Path b = Files.writeString(dir.resolve("b.json"), "b");
        index.summary(a, read);
        index.summary(b, read);
        index.retainOnly(List.of(a));
        assertEquals(1, index.size());

        index.readWith(null); // the trust it was read under: kept
        assertEquals(1, index.size());
        index.readWith(new ManifestTrust(null, null, true));
        assertEquals(0, index.size());
        index.summary(a, read);
        assertEquals(3, reads.get());
    }

    @Test
    void theDaemonsListingKeepsTheStoresOrderAndSeesAFileEditedSince() throws Exception {
        ManifestStore store = new ManifestStore(dir.resolve("m"), dir.resolve("LATEST.json")).withIndex(index);
        store.write(ManifestSamples.manifest("sync_point_20260201_181406", true, ManifestSamples.point(-1, "0/3016120", 1)));
        store.write(ManifestSamples.manifest("sync_point_20260201_181506", true, ManifestSamples.point(-1, "0/4016120", 1)));
        List<ManifestStore.Listed> first = store.listed();
        assertEquals(List.of("sync_point_20260201_181506.json", "sync_point_20260201_181406.json"),
                first.stream().map(l -> l.path().getFileName().toString()).toList());
        assertEquals("sync_point_20260201_181506", store.entry(first.get(0)).manifest().orElseThrow().restorePoint());
        List<ManifestStore.Listed> again = store.listed(); // from the index: the same order and summaries, nothing read
        assertEquals(first.stream().map(l -> List.of(l.path(), l.summary())).toList(),
                again.stream().map(l -> List.of(l.path(), l.summary())).toList());
        assertEquals(List.of(), again.stream().filter(l -> l.read() != null).toList());
        assertEquals("sync_point_20260201_181506", store.entry(again.get(0)).manifest().orElseThrow().restorePoint());

        Thread.sleep(50);
        Path older = first.get(1).path();
        Files.writeString(older, Files.readString(older).replace("0/3016120", "0/3016121")); // edited in place
        List<ManifestStore.Listed> second = store.listed();
        assertEquals(older, second.get(0).path()); // invalid files come first
        assertEquals(false, second.get(0).summary().valid());
        assertEquals(older, second.get(0).read().path()); // read again by this listing, as edited
        assertEquals(true, store.entry(second.get(0)).problem().contains("torn or edited"));
    }
}
