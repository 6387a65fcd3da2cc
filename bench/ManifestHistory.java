import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.WalFile;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestCodec;
import io.whpg.drsync.state.ManifestKeys;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.RestorePointName;
import io.whpg.drsync.state.SegmentPoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Bench helper (not part of the build): writes COUNT valid, signed READY manifests older than the newest one in
 * MANIFEST_DIR, one per 5 minutes back in time, each instance's LSN 8 bytes apart below the newest's, as a
 * publisher with storage.keep's default history would have left them. Run with the tool's jar on the class path:
 *   java -cp target/whpg-dr-sync.jar bench/ManifestHistory.java MANIFEST_DIR COUNT SIGNING_KEY
 */
public class ManifestHistory {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        PrivateKey key = ManifestKeys.readPrivate(Path.of(args[2]));
        Manifest newest;
        try (Stream<Path> files = Files.list(dir)) {
            newest = files.filter(p -> p.toString().endsWith(".json")).map(p -> {
                try {
                    return ManifestStore.readFile(p);
                } catch (Exception e) {
                    return null;
                }
            }).filter(m -> m != null).max((a, b) -> a.firstLsn().compareTo(b.firstLsn())).orElseThrow();
        }
        for (int i = 1; i <= count; i++) {
            List<SegmentPoint> points = new ArrayList<>();
            for (SegmentPoint s : newest.segments()) {
                Lsn lsn = Lsn.of(s.restoreLsn().value() - 8L * i);
                points.add(new SegmentPoint(s.gpSegmentId(), lsn, s.timeline(),
                        WalFile.containing(lsn, s.timeline(), newest.walSegmentSize()).name(), s.systemIdentifier(), s.host(), s.port()));
            }
            java.time.Instant at = newest.createdAtUtc().minus(Duration.ofMinutes(5L * i));
            String name = RestorePointName.forInstant("sync_point_", at);
            Manifest m = new Manifest(name, at, true, newest.walSegmentSize(), points, newest.evidence());
            Files.writeString(dir.resolve(name + ".json"), ManifestCodec.write(m, key));
        }
    }
}
