package io.whpg.drsync.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.testing.BadInputCorpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every broken manifest in manifest/bad is refused with exactly the one-line error written beside it in expected.tsv. */
class BadManifestTest {
    private static final BadInputCorpus CORPUS = BadInputCorpus.of("/manifest/bad");

    static Stream<Arguments> expectedErrors() throws IOException {
        return CORPUS.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expectedErrors")
    void refusedWithTheExpectedError(String fileName, String expected) {
        Path file = CORPUS.file(fileName);
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestStore.readFile(file));
        assertEquals(expected.replace("${file}", file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void everyBadFileHasAnExpectedErrorAndEveryErrorAFile() throws Exception {
        assertTrue(CORPUS.assertEveryFileListedOnce() >= 15);
    }
}
