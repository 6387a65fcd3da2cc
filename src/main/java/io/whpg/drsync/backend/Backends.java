package io.whpg.drsync.backend;

import io.whpg.drsync.config.Backend;
import io.whpg.drsync.config.DrSyncConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.ProducerTemplate;
import software.amazon.awssdk.services.s3.S3Client;

/** The built-in store {@code archive.backend} selects, and its check at start naming the setting that fails. */
public final class Backends {
    public static final int S3_PAGE = 1000;
    /** The registry name of the archive's store (s3, sftp): the consumer stages WAL from it. */
    public static final String STORE_BEAN = "whpgArchiveStore";

    private Backends() {
    }

    /** The store of a non-posix backend, with the S3 client to bind as {@link S3Store#CLIENT_BEAN}; empty for posix. */
    public record Built(ObjectStore store, S3Client s3Client) {
    }

    public static Optional<Built> build(DrSyncConfig cfg, Supplier<ProducerTemplate> template, Function<String, String> env) {
        Backend b = cfg.archive().backend();
        return switch (b.kind()) {
            case Backend.S3_KIND -> {
                S3Client client = S3Store.client(b.s3(), env);
                yield Optional.of(new Built(new S3Store(b.s3(), client, template, S3_PAGE), client));
            }
            case Backend.SFTP_KIND -> Optional.of(new Built(new SftpStore(b.sftp(),
                    cfg.ssh().connectTimeoutSecs() * 1000), null));
            case Backend.SSH_KIND -> {
                try {
                    yield Optional.of(new Built(new SshStore(b.sftp(), Duration.ofSeconds(cfg.ssh().connectTimeoutSecs()),
                            Duration.ofSeconds(cfg.ssh().commandTimeoutSecs())), null));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("archive.ssh: " + e.getMessage(), e);
                }
            }
            default -> Optional.empty();
        };
    }

    /**
     * Before any restore point or DR step: the archive's store answers for {@code archive.archive_dir} (and for
     * {@code storage.manifest_dir} when manifests live there). Throws {@link IllegalArgumentException} (exit 2) with
     * one line starting with the setting.
     */
    public static void check(DrSyncConfig cfg, ObjectStore store) {
        String setting = "archive." + cfg.archive().backend().kind();
        try {
            store.check(cfg.archive().archiveDir().toString());
        } catch (BackendException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
        }
    }
}
