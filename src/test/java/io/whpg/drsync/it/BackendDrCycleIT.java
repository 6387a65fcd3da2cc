package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whpg.drsync.backend.S3ProxyServer;
import io.whpg.drsync.backend.S3Store;
import io.whpg.drsync.backend.SftpHost;
import io.whpg.drsync.config.Backend;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.dr.WalStaging;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.WalFile;
import io.whpg.drsync.sandbox.Sandbox;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxInstance;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.SegmentPoint;
import io.whpg.drsync.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The DR cycle with the WAL archive and the manifests in a store the DR instances cannot read as a directory: an S3
 * bucket (S3Proxy) and an SFTP host (OpenSSH sftp-server behind a private sshd), both started here. The primaries
 * archive locally as always; a mirror moves each archived file into both stores (as an archive_command writing
 * there would), so the only WAL the DR copies can replay is what the consumer staged for them. The DR copies sit
 * behind a private sshd: each DR host fetches its own WAL over its SSH session, from presigned URLs (S3) or with
 * OpenSSH's sftp and its own key (SFTP).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackendDrCycleIT {
    static final String BUCKET = "dr-wal";
    @RegisterExtension
    // the DR copies behind a private sshd, as on real DR hosts: with s3 each host fetches its WAL over its own session
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSshHosts(1));
    static Sandbox sandbox;
    private static Path work;
    private static S3ProxyServer s3;
    private static S3Client client;
    private static SftpHost sftp;
    private static Path sftpRoot;
    static Path s3Config;
    private static Path sftpConfig;
    private static Thread mirror;
    private static volatile boolean mirroring = true;
    /** False for the bench: files stay in the local archive too, so a posix cycle can read them. */
    static volatile boolean moveAway = true;
    static final Set<Path> uploaded = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        sandbox = SANDBOX.sandbox();
        work = Files.createDirectories(SANDBOX.dir().resolve("backends"));
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
        s3.createBucket(BUCKET);
        // the AWS default chain: Java system properties, as an operator's environment or instance role would supply
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        Backend.S3 settings = new Backend.S3(BUCKET, "us-east-1", s3.endpoint(), true, null, null);
        client = S3Store.client(settings, n -> null);
        // more than one S3 page under instance 0's prefix, all sorting before the real WAL names
        IntStream.range(0, 1005).parallel().forEach(i -> client.putObject(b -> b.bucket(BUCKET)
                .key("wal/0/000000000000000000000000_filler_" + i), RequestBody.fromString("x")));
        sftp = new SftpHost(Files.createDirectories(work.resolve("sftp")));
        sftpRoot = sftp.writableDir("root");
        Files.createDirectories(sftpRoot.resolve("wal"));
        for (Path d : List.of(sftpRoot.resolve("wal"))) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        mirror = new Thread(BackendDrCycleIT::mirrorLoop, "archive-mirror");
        mirror.setDaemon(true);
        mirror.start();
        s3Config = ItSupport.edited(sandbox.configFile(), "s3", root -> {
            ObjectNode a = (ObjectNode) root.path("archive");
            a.put("archive_dir", "/wal").put("backend", "s3").putObject("s3").put("bucket", BUCKET)
                    .put("endpoint", s3.endpoint()).put("path_style", true);
            ((ObjectNode) root.path("storage")).put("backend", "archive");
        });
        Backend.Sftp f = sftp.settings();
        // the DR hosts' own SFTP login: a key and known_hosts their OS user reads (here: the sandbox's service user)
        Path hostKey = Files.copy(f.identity(), work.resolve("dr-host-sftp-key"));
        Path hostKnown = Files.copy(f.knownHosts(), work.resolve("dr-host-known-hosts"));
        var owner = hostKey.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(sandbox.serviceUser());
        for (Path p : List.of(hostKey, hostKnown)) {
            Files.setOwner(p, owner);
        }
        Files.setPosixFilePermissions(hostKey, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        sftpConfig = ItSupport.edited(sandbox.configFile(), "sftp", root -> {
            ObjectNode a = (ObjectNode) root.path("archive");
            a.put("archive_dir", sftpRoot.resolve("wal").toString()).put("backend", "sftp").putObject("sftp")
                    .put("host", f.host()).put("port", f.port()).put("user", f.user())
                    .put("identity", f.identity().toString()).put("known_hosts", f.knownHosts().toString())
                    .put("host_identity", hostKey.toString()).put("host_known_hosts", hostKnown.toString());
            ((ObjectNode) root.path("storage")).put("backend", "archive").put("remote_dir", sftpRoot.resolve("manifests").toString());
        });
    }

    /** The same SSH host as the ssh backend: shell commands instead of the SFTP subsystem, hosts fetching with ssh cat. */
    private static Path sshConfig() throws IOException {
        return ItSupport.edited(sftpConfig, "ssh", root -> {
            ObjectNode a = (ObjectNode) root.path("archive");
            a.put("backend", "ssh").set("ssh", a.remove("sftp"));
            ((ObjectNode) root.path("storage")).put("remote_dir", sftpRoot.resolve("manifests-ssh").toString());
        });
    }

    @AfterAll
    static void stop() throws Exception {
        mirroring = false;
        if (mirror != null) {
            mirror.join(5000);
        }
        if (client != null) {
            client.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (sftp != null) {
            sftp.close();
        }
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    /** Each file the primaries archived goes to the bucket and to the SFTP host, then out of the local archive. */
    private static void mirrorLoop() {
        Path held = SANDBOX.dir().resolve("archive-held");
        while (mirroring) {
            try {
                for (SandboxInstance p : sandbox.primaries()) {
                    Path dir = sandbox.archiveDir(p.contentId());
                    List<Path> files;
                    try (Stream<Path> s = Files.list(dir)) {
                        files = s.filter(Files::isRegularFile).toList();
                    }
                    long now = System.currentTimeMillis();
                    for (Path file : files) {
                        String name = file.getFileName().toString();
                        if (uploaded.contains(file)) {
                            continue;
                        }
                        // the sandbox's archive_command is a plain cp: a file still being written is left for later
                        if (now - Files.getLastModifiedTime(file).toMillis() < 300) {
                            continue;
                        }
                        client.putObject(b -> b.bucket(BUCKET).key("wal/" + p.contentId() + "/" + name), file);
                        Path remote = Files.createDirectories(sftpRoot.resolve("wal/" + p.contentId())).resolve(name);
                        Files.copy(file, remote, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(remote, PosixFilePermissions.fromString("rw-r--r--"));
                        if (moveAway) {
                            Files.move(file, Files.createDirectories(held.resolve(String.valueOf(p.contentId()))).resolve(name),
                                    StandardCopyOption.REPLACE_EXISTING);
                        } else {
                            uploaded.add(file);
                        }
                    }
                }
                Thread.sleep(100);
            } catch (IOException | RuntimeException e) {
                System.err.println("archive mirror: " + e);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Publish READY, drop every local manifest (the DR site must fetch them), consume, check the exact park. */
    private static void roundParksExactly(Path config, String label) throws Exception {
        DrSyncConfig cfg = ConfigLoader.load(config);
        ItSupport.commitOnEveryPrimary(sandbox, "before-" + label);
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        String point = ItSupport.latestReady(cfg);
        ItSupport.commitOnEveryPrimary(sandbox, "after-" + label);
        Manifest m = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath()).read(point);
        wipeLocalManifests(cfg);

        ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(0, dr.exitCode(), dr.output());
        assertEquals(point, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
        for (SegmentPoint s : m.segments()) {
            SandboxInstance copy = sandbox.drCopy(s.gpSegmentId());
            ControlData cd = ItSupport.controlData(sandbox, copy.dataDir());
            assertTrue(cd.isShutDownInRecovery(), "instance " + s.gpSegmentId() + ": " + cd.clusterState());
            assertEquals(s.restoreLsn(), cd.minRecoveryEnd(), "instance " + s.gpSegmentId());
            Set<String> notes = ItSupport.rowsAtParkedPoint(sandbox, copy, s.restoreLsn());
            assertTrue(notes.contains("before-" + label), "instance " + s.gpSegmentId() + ": " + notes);
            assertFalse(notes.contains("after-" + label), "instance " + s.gpSegmentId() + " went past the point: " + notes);
            assertFalse(Files.exists(Path.of(WalStaging.dirOf(copy.dataDir().toString()))), "staged WAL removed after the park");
            assertEquals(WalStaging.restoreCommand(copy.dataDir().toString()), effective(copy, "restore_command"));
        }
    }

    private static void wipeLocalManifests(DrSyncConfig cfg) throws IOException {
        try (Stream<Path> s = Files.list(cfg.storage().manifestDir())) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.deleteIfExists(cfg.storage().latestPath());
    }

    private static String effective(SandboxInstance i, String setting) {
        CommandResult r = ProcessRunner.run(List.of(Sandbox.PG_BIN.resolve("postgres").toString(), "-D", i.dataDir().toString(),
                "-C", setting), sandbox.serviceUser(), Duration.ofSeconds(30));
        return r.stdout().strip();
    }

    @Test
    @Order(1)
    void s3CycleParksExactlyWithWalAndManifestsInTheBucket() throws Exception {
        roundParksExactly(s3Config, "s3-1");
        roundParksExactly(s3Config, "s3-2");
        ItSupport.Run status = ItSupport.cli("dr", "status", "--config", s3Config.toString());
        assertTrue(status.out().contains("restore_command       : tool-owned: cp <data_dir>/whpg_dr_sync_wal/%f %p"
                + " (WAL staged from the s3 archive /wal each cycle)"), status.output());
    }

    @Test
    @Order(2)
    void walObjectCorruptedAfterReadyIsRefusedBeforeAnyStartNamingIt() throws Exception {
        DrSyncConfig cfg = ConfigLoader.load(s3Config);
        String before = new StateStore(cfg.dr().stateDir()).current().orElseThrow();
        ItSupport.commitOnEveryPrimary(sandbox, "corrupt");
        ItSupport.Run published = ItSupport.publish(s3Config);
        assertEquals(0, published.exitCode(), published.output());
        String point = ItSupport.latestReady(cfg);
        Manifest m = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath()).read(point);
        SegmentPoint seg0 = m.segment(0).orElseThrow();
        // the segment before the restore point's, where the DR copy's replay resumes (the previous point lies in it);
        // the restore point proof reads the restore point's own segment itself
        WalFile target = WalFile.parse(seg0.walFile(), m.walSegmentSize());
        String file = new WalFile(target.timeline(), target.segno() - 1, m.walSegmentSize()).name();
        String key = "wal/0/" + file;
        byte[] good = client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
        // another WAL segment of the same instance under this name: same size, valid pages, the wrong file
        String other = "wal/0/" + seg0.walFile();
        byte[] wrong = client.getObjectAsBytes(b -> b.bucket(BUCKET).key(other)).asByteArray();
        client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(wrong));
        ControlData parked = ItSupport.controlData(sandbox, sandbox.drCopy(0).dataDir());

        ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", s3Config.toString());
        assertEquals(1, dr.exitCode(), dr.output());
        assertTrue(dr.output().contains("FAILED wal_invalid: instance 0: s3://" + BUCKET + "/" + key + ": its first page is at"),
                dr.output());
        assertFalse(dr.output().contains("Exception"), dr.output());
        assertEquals(before, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
        assertEquals(parked.minRecoveryEnd(), ItSupport.controlData(sandbox, sandbox.drCopy(0).dataDir()).minRecoveryEnd());
        for (SandboxInstance i : sandbox.drCopies()) {
            assertFalse(Files.exists(i.dataDir().resolve("postmaster.pid")), "nothing started");
        }

        client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(good));
        ItSupport.Run retry = ItSupport.cli("dr", "run", "--once", "--config", s3Config.toString());
        assertEquals(0, retry.exitCode(), retry.output());
        assertEquals(point, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
    }

    @Test
    @Order(3)
    void sftpAndSshCyclesParkExactlyWithWalAndManifestsOnTheArchiveHost() throws Exception {
        roundParksExactly(sftpConfig, "sftp-1");
        roundParksExactly(sshConfig(), "ssh-1");
    }

    @Test
    @Order(4)
    void aWrongBackendStopsBeforeAnyRestorePointNamingTheSetting() throws Exception {
        DrSyncConfig cfg = ConfigLoader.load(s3Config);
        long manifests;
        try (Stream<Path> s = Files.list(cfg.storage().manifestDir())) {
            manifests = s.count();
        }
        Path noBucket = ItSupport.edited(s3Config, "no-bucket", root ->
                ((ObjectNode) root.path("archive").path("s3")).put("bucket", "no-such-bucket"));
        ItSupport.Run p = ItSupport.cli("primary", "run", "--once", "--config", noBucket.toString());
        assertEquals(2, p.exitCode(), p.output());
        assertEquals("whpg_dr_sync: archive.s3: s3://no-such-bucket/wal/: 404 NoSuchBucket", p.err().strip());
        ItSupport.Run doctor = ItSupport.cli("doctor", "--config", noBucket.toString(), "--role", "dr");
        assertTrue(doctor.out().contains("archive.s3: s3://no-such-bucket/wal/: 404 NoSuchBucket"), doctor.output());
        ItSupport.Run d = ItSupport.cli("dr", "run", "--once", "--config", noBucket.toString());
        assertEquals(2, d.exitCode(), d.output());
        try (Stream<Path> s = Files.list(cfg.storage().manifestDir())) {
            assertEquals(manifests, s.count(), "no restore point, no manifest");
        }
        Path nowhere = ItSupport.edited(s3Config, "no-route", root ->
                ((ObjectNode) root.path("archive")).put("list_endpoint", "direct:archive-nowhere"));
        ItSupport.Run n = ItSupport.cli("primary", "run", "--once", "--config", nowhere.toString());
        assertEquals(2, n.exitCode(), n.output());
        assertTrue(n.err().strip().startsWith("whpg_dr_sync: archive.list_endpoint: no route consumes direct:archive-nowhere"),
                n.err());
        Path wrongHost = ItSupport.edited(sftpConfig, "wrong-known-hosts", root ->
                ((ObjectNode) root.path("archive").path("sftp")).put("known_hosts", work.resolve("s3").toString() + "/none"));
        ItSupport.Run f = ItSupport.cli("dr", "run", "--once", "--config", wrongHost.toString());
        assertEquals(2, f.exitCode(), f.output());
        assertTrue(f.err().strip().startsWith("whpg_dr_sync: archive.sftp: sftp://"), f.err());
        assertEquals(1, f.err().strip().lines().count(), f.err());
    }
}
