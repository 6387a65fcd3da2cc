package io.whpg.drsync.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Extra jars for custom backends: every {@code *.jar} in {@code <home>/lib} (home as {@link io.whpg.drsync.ops.ToolHome}
 * finds it, the same for {@code java -jar} and the launcher), on a class loader above the tool's own, so a route in
 * routes/ can use a Camel component or a bean class the shaded jar lacks, with no rebuild.
 */
public final class LibJars {
    private LibJars() {
    }

    /** The loader of {@code dir}'s jars (sorted by name), or empty when there are none. */
    public static Optional<ClassLoader> loader(Path dir, ClassLoader parent) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                if (p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    urls.add(p.toUri().toURL());
                }
            }
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(dir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list: " + e.getMessage(), e);
        }
        return urls.isEmpty() ? Optional.empty() : Optional.of(new URLClassLoader("whpg-lib", urls.toArray(URL[]::new), parent));
    }
}
