package io.whpg.drsync.backend;

import io.whpg.drsync.config.Backend;
import io.whpg.drsync.primary.FailureText;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.camel.ProducerTemplate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An S3 bucket through camel-aws2-s3: every object operation is a request to an {@code aws2-s3:} endpoint on the
 * client this class builds from {@code archive.s3} (endpoint override, path-style, region, credentials from named
 * environment variables or the default chain). Keys are the config's paths without their leading {@code /}.
 * Listing pages with a marker until a page comes back empty, so no key is lost past the store's page size.
 */
public final class S3Store implements ObjectStore {
    public static final String CLIENT_BEAN = "whpgS3Client";
    static final String OPERATION = "CamelAwsS3Operation";
    static final String KEY = "CamelAwsS3Key";

    private final Backend.S3 settings;
    private final S3Client client;
    private final S3Presigner presigner;
    private final Supplier<ProducerTemplate> template;
    private final int pageSize;
    private final String uri;

    public S3Store(Backend.S3 settings, S3Client client, Supplier<ProducerTemplate> template, int pageSize) {
        this.settings = settings;
        this.client = client;
        this.presigner = presigner(settings, client);
        this.template = template;
        this.pageSize = pageSize;
        this.uri = "aws2-s3://" + settings.bucket() + "?amazonS3Client=#" + CLIENT_BEAN + "&autoCreateBucket=false";
    }

    /** The SDK client of {@code archive.s3}; {@code env} supplies the credentials the config names by variable. */
    public static S3Client client(Backend.S3 s3, Function<String, String> env) {
        AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        if (s3.accessKeyEnv() != null) {
            String access = env.apply(s3.accessKeyEnv());
            String secret = env.apply(s3.secretKeyEnv());
            if (access == null || access.isEmpty() || secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("archive.s3.access_key_env: environment variable "
                        + (access == null || access.isEmpty() ? s3.accessKeyEnv() : s3.secretKeyEnv()) + " is not set");
            }
            credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret));
        }
        // checksums only where S3 requires them: S3-compatible stores (MinIO, Ceph, S3Proxy) refuse the SDK's trailers
        var b = S3Client.builder().region(Region.of(s3.region())).forcePathStyle(s3.pathStyle())
                .credentialsProvider(credentials)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (s3.endpoint() != null) {
            b.endpointOverride(URI.create(s3.endpoint()));
        }
        return b.build();
    }

    @Override
    public String name(String key) {
        return "s3://" + settings.bucket() + "/" + objectKey(key);
    }

    private static String objectKey(String key) {
        return key.startsWith("/") ? key.substring(1) : key;
    }

    @Override
    public List<StoredObject> list(String dir) {
        String prefix = objectKey(ObjectStore.join(dir, ""));
        List<StoredObject> out = new ArrayList<>();
        String marker = null;
        while (true) {
            ListObjectsRequest req = ListObjectsRequest.builder().bucket(settings.bucket()).prefix(prefix)
                    .maxKeys(pageSize).marker(marker).build();
            List<?> page = (List<?>) call(dir, uri + "&pojoRequest=true&operation=listObjects", req, Map.of());
            if (page == null || page.isEmpty()) {
                return out;
            }
            for (Object o : page) {
                S3Object s = (S3Object) o;
                marker = s.key();
                if (s.key().indexOf('/', prefix.length()) < 0 && s.key().length() > prefix.length()) {
                    out.add(new StoredObject("/" + s.key(), s.size(), checksum(s.eTag())));
                }
            }
        }
    }

    @Override
    public Optional<StoredObject> stat(String key) {
        try {
            HeadObjectResponse h = (HeadObjectResponse) call(key, uri, null, Map.of(OPERATION, "headObject", KEY, objectKey(key)));
            return Optional.of(new StoredObject(key, h.contentLength(), checksum(h.eTag())));
        } catch (BackendException e) {
            AwsServiceException s = FailureText.find(e, AwsServiceException.class);
            if (s != null && s.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public byte[] get(String key) {
        return bytes(key, call(key, uri, null, Map.of(OPERATION, "getObject", KEY, objectKey(key))));
    }

    @Override
    public byte[] getRange(String key, long offset, int length) {
        if (length <= 0) {
            return new byte[0];
        }
        try {
            return bytes(key, call(key, uri, null, Map.of(OPERATION, "getObjectRange", KEY, objectKey(key),
                    "CamelAwsS3RangeStart", String.valueOf(offset), "CamelAwsS3RangeEnd", String.valueOf(offset + length - 1))));
        } catch (BackendException e) {
            AwsServiceException s = FailureText.find(e, AwsServiceException.class);
            if (s != null && s.statusCode() == 416) {
                return new byte[0]; // the range starts at or past the object's end
            }
            throw e;
        }
    }

    @Override
    public void put(String key, byte[] content) {
        // no operation header: camel-aws2-s3's producer puts the body (a single PUT, atomic for readers)
        call(key, uri, content, Map.of(KEY, objectKey(key),
                "CamelAwsS3ContentLength", (long) content.length));
    }

    @Override
    public Optional<URI> presignedGet(String key, java.time.Duration ttl) {
        try {
            return Optional.of(presigner.presignGetObject(r -> r.signatureDuration(ttl)
                    .getObjectRequest(g -> g.bucket(settings.bucket()).key(objectKey(key)))).url().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new BackendException(name(key) + ": cannot presign: " + cause(e), e);
        }
    }

    /** The presigner shares the client's region, endpoint, addressing style and credentials. */
    private static S3Presigner presigner(Backend.S3 s3, S3Client client) {
        var b = S3Presigner.builder().region(Region.of(s3.region()))
                .credentialsProvider(client.serviceClientConfiguration().credentialsProvider())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(s3.pathStyle()).build());
        if (s3.endpoint() != null) {
            b.endpointOverride(URI.create(s3.endpoint()));
        }
        return b.build();
    }

    @Override
    public void delete(String key) {
        call(key, uri, null, Map.of(OPERATION, "deleteObject", KEY, objectKey(key)));
    }

    /** The bucket exists and the prefix can be listed with these credentials (one key asked for). */
    @Override
    public void check(String dir) {
        String where = "s3://" + settings.bucket() + "/" + objectKey(ObjectStore.join(dir, ""));
        try {
            client.listObjects(b -> b.bucket(settings.bucket()).prefix(objectKey(ObjectStore.join(dir, ""))).maxKeys(1));
        } catch (RuntimeException e) {
            throw new BackendException(where + ": " + cause(e), e);
        }
    }

    @Override
    public void close() {
        presigner.close();
        client.close();
    }

    private Object call(String key, String endpoint, Object body, Map<String, Object> headers) {
        try {
            return template.get().requestBodyAndHeaders(endpoint, body, new HashMap<>(headers));
        } catch (RuntimeException e) {
            throw new BackendException(name(key) + ": " + cause(e), e);
        }
    }

    /** {@code 403 AccessDenied}, {@code 404 NoSuchBucket}, or why the endpoint could not be reached. */
    static String cause(Throwable e) {
        AwsServiceException s = FailureText.find(e, AwsServiceException.class);
        if (s != null) {
            String code = s.awsErrorDetails() != null ? s.awsErrorDetails().errorCode() : null;
            return s.statusCode() + " " + (code != null ? code : "(no error code)");
        }
        SdkClientException c = FailureText.find(e, SdkClientException.class);
        if (c != null && String.valueOf(c.getMessage()).contains("credentials")) {
            return "no usable credentials (archive.s3.access_key_env / secret_key_env, or the AWS default chain): "
                    + FailureText.rootCause(c);
        }
        return c != null ? "cannot reach the S3 endpoint: " + FailureText.rootCause(c) : FailureText.userMessage(e);
    }

    private byte[] bytes(String key, Object body) {
        try {
            if (body instanceof InputStream in) {
                try (in) {
                    return in.readAllBytes();
                }
            }
            if (body instanceof byte[] b) {
                return b;
            }
            throw new BackendException(name(key) + ": the store answered no content");
        } catch (IOException e) {
            throw new BackendException(name(key) + ": read interrupted: " + FailureText.rootCause(e), e);
        }
    }

    /** A single-part upload's ETag is the MD5 of the content; a multipart one ({@code "...-N"}) is not a checksum. */
    static Optional<String> checksum(String eTag) {
        if (eTag == null) {
            return Optional.empty();
        }
        String t = eTag.replace("\"", "");
        return t.matches("[0-9a-fA-F]{32}") ? Optional.of("md5:" + t.toLowerCase(java.util.Locale.ROOT)) : Optional.empty();
    }
}
