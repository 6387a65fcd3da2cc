package io.whpg.drsync.dr;

import io.whpg.drsync.backend.ObjectStore;
import io.whpg.drsync.exec.OsUser;
import io.whpg.drsync.state.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Staging through the consumer, for a store with no URL a host could fetch from (SFTP) and an instance on this
 * machine: each file fetched, checked against what the store lists, written crash-safe (never through a link) and
 * given to the data dir's owner.
 */
final class LocalWalStager {
    private LocalWalStager() {
    }

    /** Returns how many files were fetched (already staged, verified ones are kept). */
    static int stage(String dataDir, List<WalStaging.Item> items, ObjectStore store) {
        Path data = Path.of(dataDir);
        Path dir = Path.of(WalStaging.dirOf(dataDir));
        int fetched = 0;
        try {
            UserPrincipal owner = Files.getOwner(data, LinkOption.NOFOLLOW_LINKS);
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new CycleFailure(WalStaging.STAGE_FAILED, dir + ": not a directory (a link or file is in the way)");
            }
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                chown(dir, owner);
            }
            Set<String> wanted = new HashSet<>();
            items.forEach(i -> wanted.add(i.name()));
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path p : s) {
                    if (!wanted.contains(p.getFileName().toString())) {
                        Files.deleteIfExists(p); // a link is removed itself, never what it points to
                    }
                }
            }
            for (WalStaging.Item i : items) {
                Path target = dir.resolve(i.name());
                if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == i.size()) {
                    continue;
                }
                byte[] content = store.get(i.key());
                WalStaging.checkFetched(store, i, content);
                AtomicFiles.write(target, content);
                chown(target, owner);
                fetched++;
            }
            return fetched;
        } catch (IOException e) {
            throw new CycleFailure(WalStaging.STAGE_FAILED, dir + ": cannot stage WAL: " + AtomicFiles.reason(e));
        }
    }

    private static void chown(Path p, UserPrincipal owner) throws IOException {
        if (OsUser.isRoot()) {
            Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(owner);
        }
    }
}
