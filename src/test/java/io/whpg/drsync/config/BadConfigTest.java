package io.whpg.drsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

/** Every broken config in config/bad is refused with exactly the one-line error written beside it in expected.tsv. */
class BadConfigTest {

    static Stream<Arguments> expectedErrors() throws IOException, URISyntaxException {
        return manifest().stream().map(line -> line.split("\t", 2)).map(f -> Arguments.of(f[0], f[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expectedErrors")
    void refusedWithTheExpectedError(String fileName, String expected) throws Exception {
        Path file = badDir().resolve(fileName);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(expected.replace("${file}", file.toString()), e.getMessage());
    }

    @Test
    void everyBadFileHasAnExpectedErrorAndEveryErrorAFile() throws Exception {
        Set<String> listed = manifest().stream().map(line -> line.split("\t", 2)[0])
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> present;
        try (Stream<Path> files = Files.list(badDir())) {
            present = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(present, listed);
        assertEquals(listed.size(), manifest().size(), "a file is listed twice in expected.tsv");
    }

    private static List<String> manifest() throws IOException, URISyntaxException {
        return Files.readAllLines(badDir().resolve("expected.tsv")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .toList();
    }

    private static Path badDir() throws URISyntaxException {
        return Path.of(BadConfigTest.class.getResource("/config/bad/expected.tsv").toURI()).getParent();
    }
}
