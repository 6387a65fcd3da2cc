package io.whpg.drsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.whpg.drsync.testing.BadInputCorpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every broken config in config/bad is refused with exactly the one-line error written beside it in expected.tsv. */
class BadConfigTest {
    private static final BadInputCorpus CORPUS = BadInputCorpus.of("/config/bad");

    static Stream<Arguments> expectedErrors() throws IOException {
        return CORPUS.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expectedErrors")
    void refusedWithTheExpectedError(String fileName, String expected) {
        Path file = CORPUS.file(fileName);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(expected.replace("${file}", file.toString()), e.getMessage());
    }

    @Test
    void everyBadFileHasAnExpectedErrorAndEveryErrorAFile() throws Exception {
        CORPUS.assertEveryFileListedOnce();
    }
}
