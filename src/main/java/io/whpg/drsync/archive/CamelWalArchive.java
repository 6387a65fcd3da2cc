package io.whpg.drsync.archive;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;

/**
 * A {@link WalArchive} served by a Camel endpoint ({@code archive.list_endpoint}), so an archive backend
 * (S3, SFTP, ...) is a route: it receives header {@value #OP} = {@code list}, {@code read} or {@code read_range},
 * header {@value #SEGMENT} and, for read, {@value #FILE} (and {@value #OFFSET}, {@value #LENGTH} for a range); it
 * answers with the names (a collection or one name a line), the file's text, or the range's bytes. A backend's failure is thrown as the backend's own exception, not Camel's wrapper.
 */
public final class CamelWalArchive implements WalArchive {
    public static final String OP = "WhpgArchiveOp";
    public static final String SEGMENT = "WhpgSegmentId";
    public static final String FILE = "WhpgFileName";
    public static final String OFFSET = "WhpgOffset";
    public static final String LENGTH = "WhpgLength";

    private final Supplier<ProducerTemplate> template;
    private final String endpointUri;

    /** The template is looked up on use: it exists only once the CamelContext has started. */
    public CamelWalArchive(Supplier<ProducerTemplate> template, String endpointUri) {
        this.template = template;
        this.endpointUri = endpointUri;
    }

    @Override
    public Set<String> list(int gpSegmentId) {
        Object body = request(Map.of(OP, "list", SEGMENT, gpSegmentId));
        Set<String> names = new HashSet<>();
        if (body instanceof Collection<?> c) {
            c.forEach(o -> names.add(baseName(String.valueOf(o))));
        } else if (body != null) {
            // a stream (camel-ssh's stdout), bytes or text: the names one per line
            String text = template.get().getCamelContext().getTypeConverter().convertTo(String.class, body);
            (text == null ? "" : text).lines().filter(l -> !l.isBlank()).forEach(l -> names.add(baseName(l.strip())));
        }
        return names;
    }

    @Override
    public String read(int gpSegmentId, String fileName) {
        Object body = request(Map.of(OP, "read", SEGMENT, gpSegmentId, FILE, fileName));
        String text = body == null ? null : template.get().getCamelContext().getTypeConverter().convertTo(String.class, body);
        if (text == null) {
            throw new IllegalStateException("archive backend " + endpointUri + " returned no text for " + fileName
                    + " of segment " + gpSegmentId);
        }
        return text;
    }

    @Override
    public byte[] readRange(int gpSegmentId, String fileName, long offset, int length) {
        Object body = request(Map.of(OP, "read_range", SEGMENT, gpSegmentId, FILE, fileName, OFFSET, offset, LENGTH, length));
        byte[] bytes = body == null ? null : template.get().getCamelContext().getTypeConverter().convertTo(byte[].class, body);
        if (bytes == null) {
            throw new IllegalStateException("archive backend " + endpointUri + " returned no bytes for " + fileName
                    + " of segment " + gpSegmentId + " at offset " + offset);
        }
        return bytes.length > length ? java.util.Arrays.copyOf(bytes, length) : bytes;
    }

    private Object request(Map<String, Object> headers) {
        try {
            return template.get().requestBodyAndHeaders(endpointUri, null, headers);
        } catch (CamelExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof java.io.IOException io) {
                // a route's own failure (e.g. routes/archive-ssh.yaml: ssh://host/dir: exit 2: ...): its line as it is
                throw new ArchiveException(String.valueOf(io.getMessage()).strip().lines().findFirst().orElse(""), io);
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("archive backend " + endpointUri + ": " + cause.getMessage(), cause);
        }
    }

    private static String baseName(String s) {
        return s.substring(s.lastIndexOf('/') + 1);
    }
}
