package io.whpg.drsync.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Real PostgreSQL output saved under src/test/resources (see controldata/README.txt, serverlog/README.txt). */
public final class PgSamples {
    private PgSamples() {
    }

    public static String read(String resource) {
        return new String(bytes(resource), StandardCharsets.UTF_8);
    }

    /** Binary samples too, e.g. a pg_control file. */
    public static byte[] bytes(String resource) {
        try (InputStream in = PgSamples.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
