package io.whpg.drsync.ops;

import io.whpg.drsync.config.Keep;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which of a store's files go: pure. Beyond the newest {@code keep.count}, or older than {@code keep.days},
 * unless protected; the newest file is never removed.
 */
public final class RetentionPlan {
    /** A manifest or receipt: its file and when it was written. */
    public record Stored(Path file, Instant writtenAt) {
    }

    private RetentionPlan() {
    }

    /** @param newestFirst the store's files, newest first */
    public static List<Path> toRemove(List<Stored> newestFirst, Set<Path> protectedFiles, Keep keep, Instant now) {
        List<Path> remove = new ArrayList<>();
        for (int i = 1; i < newestFirst.size(); i++) {
            Stored s = newestFirst.get(i);
            boolean beyondCount = i >= keep.count();
            boolean tooOld = keep.days() != null && Duration.between(s.writtenAt(), now).toDays() >= keep.days();
            if ((beyondCount || tooOld) && !protectedFiles.contains(s.file())) {
                remove.add(s.file());
            }
        }
        return remove;
    }
}
