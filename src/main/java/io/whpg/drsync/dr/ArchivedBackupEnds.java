package io.whpg.drsync.dr;

import io.whpg.drsync.archive.WalArchive;
import io.whpg.drsync.pg.BackupHistory;
import io.whpg.drsync.pg.WalFile;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Where a base backup ended, read through the archive backend ({@code archive.list_endpoint}): the instance's
 * archive is listed, its backup history file read and checked against the copy's backup_label. A missing,
 * unreadable or foreign file refuses the instance with one line naming it, its host and data dir, and the file.
 */
public final class ArchivedBackupEnds implements Floors.BackupEnds {
    private final WalArchive archive;
    private final IntFunction<String> who;

    /** {@code who} names an instance for a reason, e.g. {@code instance 0 (host dr1, data dir /data/gpseg0)}. */
    public ArchivedBackupEnds(WalArchive archive, IntFunction<String> who) {
        this.archive = archive;
        this.who = who;
    }

    @Override
    public BackupHistory find(int gpSegmentId, BackupStart start, long segmentSize) throws NotParkedException {
        String name = start.historyFileName(segmentSize);
        String prefix = who.apply(gpSegmentId) + ": " + start.describe() + " without a backup_manifest: ";
        Set<String> listing;
        try {
            listing = archive.list(gpSegmentId);
        } catch (RuntimeException e) {
            throw new NotParkedException(prefix + "cannot list its WAL archive to find the backup history file " + name
                    + ": " + firstLine(e));
        }
        if (!listing.contains(name)) {
            List<String> others = listing.stream().filter(n -> WalFile.kindOf(n).orElse(null) == WalFile.Kind.BACKUP_HISTORY)
                    .sorted().toList();
            throw new NotParkedException(prefix + "its backup history file " + name + " is missing from the WAL archive"
                    + (others.isEmpty() ? "" : " (which holds only " + String.join(", ", others.subList(Math.max(0,
                    others.size() - 3), others.size())) + ")") + ": cannot tell where the backup ends, so which restore "
                    + "points it can reach");
        }
        try {
            return start.match(name, archive.read(gpSegmentId, name), segmentSize);
        } catch (IllegalArgumentException e) {
            throw new NotParkedException(prefix + "backup history file " + name + " in the WAL archive: " + firstLine(e));
        } catch (RuntimeException e) {
            throw new NotParkedException(prefix + "cannot read backup history file " + name + " from the WAL archive: "
                    + firstLine(e));
        }
    }

    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
    }
}
