package io.whpg.drsync.dr;

import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.pg.RestorePointRecord;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.SegmentPoint;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Independently of any digest or signature: each restore LSN an instance is about to be sent to must be the end of
 * the RESTORE_POINT record with the manifest's name, read from the archived WAL (a few pages per instance). A
 * manifest whose LSN was moved (say to a COMMIT record) is refused before anything starts.
 */
public final class RestorePoints {
    private RestorePoints() {
    }

    /** One line per instance whose restore LSN the archived WAL does not prove; empty when all are proven. */
    public static List<String> unproven(Manifest m, Collection<Integer> segments, WalArchive archive) {
        List<String> problems = new ArrayList<>();
        for (Integer seg : segments) {
            SegmentPoint p = m.segment(seg).orElseThrow();
            try {
                RestorePointRecord.verify(p.restoreLsn(), p.timeline(), m.walSegmentSize(), m.restorePoint(),
                        p.systemIdentifier(), (file, offset, length) -> archive.readRange(seg, file, offset, length));
            } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
                problems.add("instance " + seg + ": " + e.getMessage());
            }
        }
        return problems;
    }
}
