package io.whpg.drsync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * A corpus of broken inputs under src/test/resources: files beside an {@code expected.tsv} of
 * {@code file<TAB>exact one-line error} rows (blank lines and {@code #} comments skipped).
 */
public final class BadInputCorpus {
    private final Path dir;

    private BadInputCorpus(Path dir) {
        this.dir = dir;
    }

    /** {@code folder} is a resource folder such as {@code /config/bad}. */
    public static BadInputCorpus of(String folder) {
        return new BadInputCorpus(resource(folder + "/expected.tsv").getParent());
    }

    public static Path resource(String name) {
        try {
            return Path.of(BadInputCorpus.class.getResource(name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource " + name + " is missing", e);
        }
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public List<String[]> rows() throws IOException {
        return Files.readAllLines(dir.resolve("expected.tsv")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("\t", 2))
                .toList();
    }

    /** (file name, expected message) for a parameterized test. */
    public Stream<Arguments> cases() throws IOException {
        return rows().stream().map(f -> Arguments.of(f[0], f[1]));
    }

    /** Every .json file of the corpus is listed exactly once, and every listed file exists. */
    public int assertEveryFileListedOnce() throws IOException {
        Set<String> listed = rows().stream().map(f -> f[0]).collect(Collectors.toCollection(TreeSet::new));
        Set<String> present;
        try (Stream<Path> files = Files.list(dir)) {
            present = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(present, listed);
        assertEquals(listed.size(), rows().size(), "a file is listed twice in expected.tsv");
        return listed.size();
    }
}
