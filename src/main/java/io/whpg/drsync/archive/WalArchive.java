package io.whpg.drsync.archive;

import java.util.Set;

/** The WAL archive as the tool needs it: the file names of one instance's archive, and small files by name. */
public interface WalArchive {

    /** Every file name in the archive directory of this content id (one listing, not one stat per file). */
    Set<String> list(int gpSegmentId);

    /** The content of a small text file (timeline history, backup history); throws if absent. */
    String read(int gpSegmentId, String fileName);

    /**
     * Up to {@code length} bytes of a WAL file from {@code offset} (fewer only at its end): the pages around a
     * restore point's record, so a manifest's LSN is proven against the WAL without fetching whole segments.
     */
    byte[] readRange(int gpSegmentId, String fileName, long offset, int length);
}
