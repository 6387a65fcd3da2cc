package io.whpg.drsync.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.exec.OsUser;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.ManifestKeys;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the seed's JSON config format unchanged, fills the optional keys with their defaults and refuses the
 * first invalid value with a one-line error naming its JSON path. Unknown keys only produce warnings.
 */
public final class ConfigLoader {
    static final String DEFAULT_UTILITY_OPTIONS = "-c gp_role=utility";
    static final String DEFAULT_LAYOUT = "%c";
    static final String DEFAULT_LIST_ENDPOINT = "direct:archive-local";
    /** The route that serves a built-in s3 or sftp backend ({@code archive.backend}). */
    public static final String BACKEND_ENDPOINT = "direct:archive-backend";
    static final String DEFAULT_RESTORE_POINT_PREFIX = "sync_point_";

    private static final int DAY_SECS = 86_400;
    private static final int HOUR_SECS = 3_600;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern S3_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern S3_REGION = Pattern.compile("[a-z0-9-]{2,40}");
    private static final Pattern HTTP_URL = Pattern.compile("https?://[A-Za-z0-9.\\[\\]:_-]+(/[A-Za-z0-9._~/-]*)?");
    private static final Pattern KEX_LIST = Pattern.compile("[a-z0-9@.-]+(,[a-z0-9@.-]+)*");
    private static final Pattern ENDPOINT_URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:.+");
    // Restore point names end up in file names and SQL, and PostgreSQL caps them at 63 characters.
    private static final Pattern RESTORE_POINT_PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,39}");

    // Duplicate keys and trailing content are refused: either would make the file mean something else than it says.
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path home;
    private final String osUser;
    private final Path configFile;

    private ConfigLoader(Path home, String osUser, Path configFile) {
        this.home = home;
        this.osUser = osUser;
        this.configFile = configFile;
    }

    public static DrSyncConfig load(Path file) throws ConfigException {
        if (!Files.exists(file)) {
            throw new ConfigException("config file not found: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file is not a regular file: " + file);
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + reason(e), e);
        }
        return forCurrentUser(file).build(readTree(() -> MAPPER.readTree(content), file.toString()));
    }

    public static DrSyncConfig parse(String json, String sourceName) throws ConfigException {
        return forCurrentUser(null).build(readTree(() -> MAPPER.readTree(json), sourceName));
    }

    /** As parse, with the home directory and OS user that the ssh defaults derive from. */
    static DrSyncConfig parse(String json, String sourceName, Path home, String osUser) throws ConfigException {
        return new ConfigLoader(home, osUser, null).build(readTree(() -> MAPPER.readTree(json), sourceName));
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.getMessage();
    }

    private static ConfigLoader forCurrentUser(Path configFile) {
        return new ConfigLoader(Path.of(System.getProperty("user.home")), OsUser.current(), configFile);
    }

    @FunctionalInterface
    private interface TreeReader {
        JsonNode read() throws IOException;
    }

    private static ObjectNode readTree(TreeReader reader, String sourceName) throws ConfigException {
        JsonNode tree;
        try {
            tree = reader.read();
        } catch (JsonProcessingException e) {
            throw new ConfigException(sourceName + ": " + Json.notValid(e), e);
        } catch (IOException e) {
            throw new ConfigException(sourceName + ": " + reason(e), e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new ConfigException(sourceName + ": expected a JSON object at the top level, got an empty document");
        }
        if (!tree.isObject()) {
            throw new ConfigValue(sourceName, tree, List.of()).invalid("a JSON object at the top level");
        }
        return (ObjectNode) tree;
    }

    private DrSyncConfig build(ObjectNode json) throws ConfigException {
        ConfigObject root = ConfigObject.root(json);
        Primary primary = primary(root.object("primary"));
        ConfigObject storageObject = root.object("storage");
        Storage storage = storage(storageObject);
        ConfigObject archiveObject = root.object("archive");
        Dr dr = dr(root.object("dr"));
        Ssh ssh = ssh(root.optionalObject("ssh"));
        Archive archive = archive(archiveObject, ssh);
        if (storage.inArchiveBackend() && archive.backend().isPosix()) {
            throw storageObject.get("backend").problem("\"archive\" needs archive.backend \"s3\" or \"sftp\" "
                    + "(with the posix archive, manifest_dir is already a shared directory)");
        }
        Behavior behavior = behavior(root.object("behavior"));
        return new DrSyncConfig(primary, storage, archive, dr, ssh, behavior, root.unknownKeyWarnings());
    }

    private static Primary primary(ConfigObject p) throws ConfigException {
        return new Primary(
                p.get("host").host(),
                p.get("port").port(),
                p.get("db").text(),
                p.get("user").text(),
                p.optional("utility_options", DEFAULT_UTILITY_OPTIONS, ConfigValue::textOrEmpty),
                p.optional("password_env", null, v -> v.matching(ENV_NAME,
                        "an environment variable name (letters, digits, '_'; not starting with a digit)")),
                p.optional("connect_timeout_secs", 10, v -> v.integer(1, HOUR_SECS)));
    }

    private Storage storage(ConfigObject s) throws ConfigException {
        ConfigObject keep = s.optionalObject("keep");
        return new Storage(s.get("manifest_dir").absolutePath(), s.get("latest_path").absolutePath(),
                new Keep(keep.optional("count", Keep.DEFAULT_COUNT, v -> v.integer(2, 10_000_000)),
                        keep.optional("days", null, v -> v.integer(1, 36_500))),
                signing(s), remoteDir(s));
    }

    /** storage.backend "archive": manifests in the archive's store under storage.remote_dir (default manifest_dir). */
    private static Path remoteDir(ConfigObject s) throws ConfigException {
        boolean inArchive = s.optional("backend", Backend.POSIX, v -> v.oneOf(Backend.POSIX, "archive")).equals("archive");
        Path remote = s.optional("remote_dir", null, ConfigValue::absolutePath);
        return inArchive ? (remote != null ? remote : s.get("manifest_dir").absolutePath()) : null;
    }

    /**
     * Without storage.signing_key the key pair lives beside the config file ({@link Signing#defaultPrivateKey});
     * verify_key defaults to the signing key's .pub file.
     */
    private Signing signing(ConfigObject s) throws ConfigException {
        Path defaultKey = configFile == null ? null : Signing.defaultPrivateKey(configFile);
        Path privateKey = s.optional("signing_key", null, ConfigValue::absolutePath);
        Path signingKey = privateKey != null ? privateKey : defaultKey;
        Path publicKey = s.optional("verify_key", signingKey == null ? null : ManifestKeys.publicOf(signingKey),
                ConfigValue::absolutePath);
        return new Signing(signingKey, publicKey, s.optional("allow_unsigned", false, ConfigValue::bool),
                privateKey == null);
    }

    private static Archive archive(ConfigObject a, Ssh ssh) throws ConfigException {
        Path dir = a.get("archive_dir").absolutePath();
        String layout = a.optional("layout", DEFAULT_LAYOUT, ConfigLoader::layout);
        String kind = a.optional("backend", Backend.POSIX, v -> v.oneOf(Backend.POSIX, Backend.S3_KIND, Backend.SFTP_KIND, Backend.SSH_KIND));
        Backend backend = switch (kind) {
            case Backend.S3_KIND -> new Backend(kind, s3(a.object("s3")), null);
            case Backend.SFTP_KIND -> new Backend(kind, null, sftp(a.object("sftp"), ssh));
            case Backend.SSH_KIND -> new Backend(kind, null, sftp(a.object("ssh"), ssh));
            default -> Backend.posix();
        };
        String endpoint = a.optional("list_endpoint", backend.isPosix() ? DEFAULT_LIST_ENDPOINT : BACKEND_ENDPOINT,
                v -> v.matching(ENDPOINT_URI, "an endpoint URI with a scheme, e.g. \"direct:archive-local\""));
        return new Archive(dir, layout, endpoint, backend);
    }

    private static Backend.S3 s3(ConfigObject s) throws ConfigException {
        String accessEnv = s.optional("access_key_env", null, v -> v.matching(ENV_NAME, "an environment variable name"));
        String secretEnv = s.optional("secret_key_env", null, v -> v.matching(ENV_NAME, "an environment variable name"));
        if ((accessEnv == null) != (secretEnv == null)) {
            throw s.get(accessEnv != null ? "access_key_env" : "secret_key_env")
                    .problem("access_key_env and secret_key_env go together (or neither: the AWS default chain)");
        }
        return new Backend.S3(
                s.get("bucket").matching(S3_BUCKET, "an S3 bucket name (3-63 of a-z, 0-9, '.', '-')"),
                s.optional("region", "us-east-1", v -> v.matching(S3_REGION, "a region name, e.g. \"eu-west-1\"")),
                s.optional("endpoint", null, v -> v.matching(HTTP_URL, "an http:// or https:// URL")),
                s.optional("path_style", false, ConfigValue::bool), accessEnv, secretEnv);
    }

    private static Backend.Sftp sftp(ConfigObject s, Ssh ssh) throws ConfigException {
        return new Backend.Sftp(s.get("host").host(), s.optional("port", 22, ConfigValue::port),
                s.optional("user", ssh.user(), ConfigValue::osUser),
                s.optional("identity", ssh.identity(), ConfigValue::absolutePath),
                s.optional("known_hosts", ssh.knownHosts(), ConfigValue::absolutePath),
                s.optional("host_identity", null, ConfigValue::absolutePathText),
                s.optional("host_known_hosts", null, ConfigValue::absolutePathText));
    }

    /** The per-instance sub-directory pattern: it must stay inside archive_dir and tell the instances apart. */
    private static String layout(ConfigValue v) throws ConfigException {
        String layout = v.text();
        if (!layout.contains("%c")) {
            throw v.problem("must contain %c (the gp_segment_id)");
        }
        if (layout.contains("..")) {
            throw v.problem("must not contain \"..\"");
        }
        if (layout.startsWith("/")) {
            throw v.problem("must be relative to archive.archive_dir");
        }
        if (layout.replace("%c", "").contains("%")) {
            throw v.problem("only the %c placeholder is supported");
        }
        return layout;
    }

    private static Dr dr(ConfigObject d) throws ConfigException {
        Path gpHome = d.get("gp_home").absolutePath();
        String pgBin = d.optional("pg_bin", gpHome.resolve("bin").toString(), ConfigValue::absolutePathText);
        Path stateDir = d.get("state_dir").absolutePath();
        Path receiptsDir = d.get("receipts_dir").absolutePath();
        ConfigValue instancesValue = d.get("instances");
        List<Instance> instances = new ArrayList<>();
        for (ConfigObject i : instancesValue.objects()) {
            instances.add(instance(i));
        }
        checkInstances(instancesValue.path(), instances);
        String lockDir = d.optional("lock_dir", stateDir.toString(), ConfigValue::absolutePathText);
        return new Dr(gpHome, pgBin, stateDir, receiptsDir, instances, lockDir);
    }

    private static Instance instance(ConfigObject i) throws ConfigException {
        return new Instance(
                // gp_segment_id is a smallint in Greenplum; -1 is the coordinator.
                i.get("gp_segment_id").integer(-1, Short.MAX_VALUE),
                i.get("host").host(),
                i.get("port").port(),
                i.get("data_dir").absolutePathText(),
                i.get("is_local").bool(),
                i.optional("ssh_port", null, ConfigValue::port),
                i.optional("os_user", null, ConfigValue::osUser));
    }

    /** Every segment id once, one coordinator, and no two instances on one host sharing a port or a data directory. */
    private static void checkInstances(String path, List<Instance> instances) throws ConfigException {
        for (int j = 0; j < instances.size(); j++) {
            Instance b = instances.get(j);
            for (int i = 0; i < j; i++) {
                Instance a = instances.get(i);
                String also = " (also at " + path + "[" + i + "])";
                if (a.gpSegmentId() == b.gpSegmentId()) {
                    throw new ConfigException(path + "[" + j + "].gp_segment_id: duplicate value " + b.gpSegmentId() + also);
                }
                if (!sameHost(a, b)) {
                    continue;
                }
                String where = a.isLocal() && b.isLocal() ? " on the local host" : " on host " + ConfigValue.quote(b.host());
                if (a.port() == b.port()) {
                    throw new ConfigException(path + "[" + j + "].port: duplicate value " + b.port() + where + also);
                }
                if (Path.of(a.dataDir()).normalize().equals(Path.of(b.dataDir()).normalize())) {
                    throw new ConfigException(path + "[" + j + "].data_dir: duplicate value "
                            + ConfigValue.quote(b.dataDir()) + where + also);
                }
            }
        }
        if (instances.stream().noneMatch(instance -> instance.gpSegmentId() == -1)) {
            throw new ConfigException(path + ": expected exactly one coordinator (gp_segment_id -1), found none");
        }
    }

    // Every is_local instance runs on the machine of this process, whatever name its host has.
    private static boolean sameHost(Instance a, Instance b) {
        return a.isLocal() && b.isLocal() || a.host().equalsIgnoreCase(b.host());
    }

    private Ssh ssh(ConfigObject s) throws ConfigException {
        Path sshDir = home.resolve(".ssh");
        Path ed25519 = sshDir.resolve("id_ed25519");
        Path defaultIdentity = Files.exists(ed25519) ? ed25519 : sshDir.resolve("id_rsa");
        return new Ssh(
                s.optional("user", osUser, ConfigValue::osUser),
                s.optional("identity", defaultIdentity, ConfigValue::absolutePath),
                s.optional("known_hosts", sshDir.resolve("known_hosts"), ConfigValue::absolutePath),
                s.optional("port", 22, ConfigValue::port),
                s.optional("connect_timeout_secs", 10, v -> v.integer(1, HOUR_SECS)),
                s.optional("command_timeout_secs", 120, v -> v.integer(1, DAY_SECS)),
                s.optional("max_parallel_hosts", 8, v -> v.integer(1, 256)),
                s.optional("retries", 3, v -> v.integer(0, 10)),
                s.optional("kex", "", v -> v.matching(KEX_LIST, "a comma-separated list of key-exchange algorithm names")));
    }

    private static Behavior behavior(ConfigObject b) throws ConfigException {
        int publisherSleep = b.get("publisher_sleep_secs").integer(1, DAY_SECS);
        int consumerSleep = b.get("consumer_sleep_secs").integer(1, DAY_SECS);
        ConfigValue reachPollValue = b.get("consumer_reach_poll_secs");
        int reachPoll = reachPollValue.integer(1, HOUR_SECS);
        ConfigValue waitReachValue = b.get("consumer_wait_reach_secs");
        int waitReach = waitReachValue.integer(1, DAY_SECS);
        if (reachPoll > waitReach) {
            throw reachPollValue.problem("must not exceed " + waitReachValue.path() + " (" + waitReach + ")");
        }
        ConfigValue walSizeValue = b.get("wal_segment_size_mb");
        int walSizeMb = walSizeValue.integer(1, 1024, "a power of two 1..1024");
        if (Integer.bitCount(walSizeMb) != 1) {
            throw walSizeValue.invalid("a power of two 1..1024");
        }
        int waitArchive = b.optional("publisher_wait_archive_secs", 120, v -> v.integer(1, DAY_SECS));
        return new Behavior(publisherSleep, consumerSleep, reachPoll, waitReach, walSizeMb, waitArchive,
                b.optional("restore_point_prefix", DEFAULT_RESTORE_POINT_PREFIX, v -> v.matching(RESTORE_POINT_PREFIX,
                        "1..40 letters, digits, '_' or '-', starting with a letter")),
                b.optional("max_lag_secs", Behavior.defaultMaxLagSecs(publisherSleep, consumerSleep, waitReach, waitArchive),
                        v -> v.integer(1, 30 * DAY_SECS)),
                b.optional("max_replay_mb", Behavior.defaultMaxReplayMb(waitReach), v -> v.integer(1, Behavior.MAX_REPLAY_MB)),
                b.optional("refuse_shared_dirs", false, ConfigValue::bool));
    }
}
