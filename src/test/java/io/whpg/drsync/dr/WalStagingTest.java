package io.whpg.drsync.dr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.backend.S3Fixture;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.ProcessRunner;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * WAL staging against a real S3 server (S3Proxy): the check of each needed object in the store, and the host script
 * that fetches from presigned URLs with curl, verifies and moves into place, run here with sh.
 */
class WalStagingTest {
    static final long SEG = 1L << 20;
    static final String SYSID = "7400000000000000001";
    @TempDir
    static Path dir;
    static S3Fixture s3;

    static byte[] segment(long segno) {
        ByteBuffer b = ByteBuffer.allocate((int) SEG).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0xD110).putShort(2, (short) 0x0006).putInt(4, 1).putLong(8, segno * SEG)
                .putLong(24, Long.parseUnsignedLong(SYSID)).putInt(32, (int) SEG).putInt(36, 8192);
        b.putLong(5000, segno); // content that differs between segments
        return b.array();
    }

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3Fixture(dir, "dr-wal");
        for (long n = 3; n <= 5; n++) {
            long segno = n;
            s3.client.putObject(b -> b.bucket("dr-wal").key("wal/0/" + String.format("%08X%08X%08X", 1, 0, segno)),
                    RequestBody.fromBytes(segment(segno)));
        }
        s3.client.putObject(b -> b.bucket("dr-wal").key("wal/0/00000002.history"), RequestBody.fromString("1\t0/3000000\treason\n"));
        s3.client.putObject(b -> b.bucket("dr-wal").key("wal/0/000000010000000000000006"), RequestBody.fromBytes(segment(3)));
        s3.client.putObject(b -> b.bucket("dr-wal").key("wal/0/000000010000000000000007"), RequestBody.fromBytes(new byte[1000]));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    static Map<Integer, List<WalStaging.Item>> plan(String... names) {
        return WalStaging.plan(Map.of(0, List.of(names)), s3.store, seg -> "/wal/" + seg, SEG, seg -> SYSID);
    }

    static CommandResult runScript(Path dataDir, Map<Integer, List<WalStaging.Item>> plan) {
        Map<String, URI> urls = new HashMap<>();
        plan.values().forEach(items -> items.forEach(i -> urls.put(i.key(), s3.store.presignedGet(i.key(), Duration.ofMinutes(5)).orElseThrow())));
        return ProcessRunner.run(List.of("sh", "-c", WalStaging.fetchScript(Map.of(0, dataDir.toString()), plan, urls)),
                null, Duration.ofSeconds(60));
    }

    @Test
    void stagesExactlyTheNeededFilesVerified() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data1"));
        Map<Integer, List<WalStaging.Item>> plan = plan("000000010000000000000003", "000000010000000000000004", "00000002.history");
        assertTrue(plan.get(0).get(0).md5().isPresent(), "the ETag of a single-part upload is its MD5");
        Path staged = Path.of(WalStaging.dirOf(data.toString()));
        Files.createDirectories(staged);
        Files.writeString(staged.resolve("000000010000000000000001"), "an older cycle's file");
        CommandResult r = runScript(data, plan);
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("@@whpg staged 0 3 fetched 0 kept"), r.stdout());
        assertArrayEquals(segment(4), Files.readAllBytes(staged.resolve("000000010000000000000004")));
        assertEquals("1\t0/3000000\treason\n", Files.readString(staged.resolve("00000002.history")));
        assertFalse(Files.exists(staged.resolve("000000010000000000000001")), "older files removed");
        CommandResult again = runScript(data, plan);
        assertTrue(again.stdout().contains("@@whpg staged 0 0 fetched 3 kept"), again.stdout());
        CommandResult removed = ProcessRunner.run(List.of("sh", "-c", WalStaging.removeScript(List.of(data.toString()))),
                null, Duration.ofSeconds(10));
        assertEquals(0, removed.exitCode());
        assertFalse(Files.exists(staged));
    }

    @Test
    void aCopyThatDiffersFromTheStoreIsNamedAndNotKept() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data2"));
        WalStaging.Item good = plan("000000010000000000000005").get(0).get(0);
        WalStaging.Item wrongMd5 = new WalStaging.Item(good.name(), good.key(), good.size(), Optional.of("0".repeat(32)));
        CommandResult r = runScript(data, Map.of(0, List.of(wrongMd5)));
        assertEquals(1, r.exitCode());
        assertTrue(r.stdout().contains("@@whpg stage_failed 0 000000010000000000000005: MD5 "), r.stdout());
        assertTrue(r.stdout().contains(", expected 00000000000000000000000000000000 (corrupt in transit or changed)"), r.stdout());
        WalStaging.Item longer = new WalStaging.Item(good.name(), good.key(), good.size() + 1, good.md5());
        assertTrue(runScript(data, Map.of(0, List.of(longer))).stdout()
                .contains("stage_failed 0 000000010000000000000005: fetched 1048576 bytes, expected 1048577 (short or changed object)"));
        assertFalse(Files.exists(Path.of(WalStaging.dirOf(data.toString())).resolve(good.name())), "nothing half-verified in place");
    }

    @Test
    void objectsThatAreNotTheirSegmentAreRefusedBeforeAnyFetch() {
        CycleFailure f = assertThrows(CycleFailure.class, () -> plan("000000010000000000000006", "000000010000000000000007",
                "000000010000000000000008"));
        assertEquals(WalStaging.WAL_INVALID, f.status());
        assertEquals("instance 0: s3://dr-wal/wal/0/000000010000000000000006: its first page is at 0/300000, not 0/600000 as"
                + " its name says (another or a recycled segment under this name); instance 0:"
                + " s3://dr-wal/wal/0/000000010000000000000007: 1000 bytes, a WAL segment is 1048576 (short or corrupt object);"
                + " instance 0: s3://dr-wal/wal/0/000000010000000000000008: gone from the store since the preflight", f.getMessage());
    }

    @Test
    void restoreCommandReadsTheStagingDirectory() {
        assertEquals("cp /data/gpseg0/whpg_dr_sync_wal/%f %p", WalStaging.restoreCommand("/data/gpseg0"));
        assertEquals(WalStaging.WAL_INVALID, assertThrows(CycleFailure.class,
                () -> WalStaging.restoreCommand("/data/it's")).status());
    }
}
