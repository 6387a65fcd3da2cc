package io.whpg.drsync.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every broken manifest in manifest/bad is refused with exactly the one-line error written beside it in expected.tsv. */
class BadManifestTest {

    static Stream<Arguments> expectedErrors() throws IOException, URISyntaxException {
        return expected().stream().map(line -> line.split("\t", 2)).map(f -> Arguments.of(f[0], f[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expectedErrors")
    void refusedWithTheExpectedError(String fileName, String expected) throws Exception {
        Path file = badDir().resolve(fileName);
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestStore.readFile(file));
        assertEquals(expected.replace("${file}", file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void everyBadFileHasAnExpectedErrorAndEveryErrorAFile() throws Exception {
        Set<String> listed = expected().stream().map(line -> line.split("\t", 2)[0])
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> present;
        try (Stream<Path> files = Files.list(badDir())) {
            present = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(present, listed);
        assertEquals(listed.size(), expected().size(), "a file is listed twice in expected.tsv");
        assertTrue(listed.size() >= 15);
    }

    private static List<String> expected() throws IOException, URISyntaxException {
        return Files.readAllLines(badDir().resolve("expected.tsv")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .toList();
    }

    private static Path badDir() throws URISyntaxException {
        return Path.of(BadManifestTest.class.getResource("/manifest/bad/expected.tsv").toURI()).getParent();
    }
}
