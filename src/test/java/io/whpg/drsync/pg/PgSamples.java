package io.whpg.drsync.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Real PostgreSQL output saved under src/test/resources (see controldata/README.txt). */
final class PgSamples {
    private PgSamples() {
    }

    static String read(String resource) {
        try (InputStream in = PgSamples.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
