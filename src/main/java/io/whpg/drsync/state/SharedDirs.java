package io.whpg.drsync.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Configured directories another user could write to, while the tool runs as root: owned by another
 * user, or writable by group or others. Such a user can plant files and symlinks there; the tool's writes
 * never follow them (see {@link AtomicFiles}), but a DBA should know. Warned by default, refused with
 * {@code behavior.refuse_shared_dirs: true}.
 */
public final class SharedDirs {
    private SharedDirs() {
    }

    /** One line per problem, naming the setting, the directory, its owner and mode; a missing dir is no problem. */
    public static List<String> problems(List<Setting> dirs) {
        List<String> out = new ArrayList<>();
        for (Setting s : dirs) {
            Path dir = s.dir().toAbsolutePath();
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                continue;
            }
            Set<PosixFilePermission> p = a.permissions();
            List<String> why = new ArrayList<>();
            if (a.isSymbolicLink()) {
                why.add("is a symlink");
            }
            if (!"root".equals(a.owner().getName())) {
                why.add("owned by " + a.owner().getName());
            }
            if (p.contains(PosixFilePermission.GROUP_WRITE)) {
                why.add("writable by group " + a.group().getName());
            }
            if (p.contains(PosixFilePermission.OTHERS_WRITE)) {
                why.add("writable by others");
            }
            if (!why.isEmpty()) {
                out.add(s.name() + ": " + RestorePointName.printable(dir.toString()) + " " + String.join(", ", why)
                        + ": another user can plant files there while the tool runs as root");
            }
        }
        return out;
    }

    /** A configured directory and the setting that names it. */
    public record Setting(String name, Path dir) {
    }
}
