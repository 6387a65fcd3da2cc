package io.whpg.drsync.dr;

import static io.whpg.drsync.exec.ShellQuote.quote;

import io.whpg.drsync.backend.BackendException;
import io.whpg.drsync.backend.ObjectStore;
import io.whpg.drsync.backend.StoredObject;
import io.whpg.drsync.backend.Verified;
import io.whpg.drsync.pg.WalFile;
import io.whpg.drsync.pg.WalHeader;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * WAL for DR instances whose archive is not a directory they read (archive.backend s3 or sftp): the consumer stages
 * exactly the files each instance needs (its floor to its target, as the preflight found them) in
 * {@code <data_dir>/whpg_dr_sync_wal}, and the tool's recovery file sets {@code restore_command} to copy from there,
 * so replay and the tool read one archive through one implementation. Before any instance starts each WAL segment is
 * checked in the store (size, first page header: its address, system, segment size) and each staged copy on its host
 * (size, and MD5 where the store has one); after a verified park the staged files are removed.
 */
public final class WalStaging {
    public static final String DIR_NAME = "whpg_dr_sync_wal";
    /** An archived WAL file is not what its name says (size, header): refused before any start. */
    public static final String WAL_INVALID = "wal_invalid";
    /** A needed file could not be delivered to a DR host, or arrived short or changed twice. */
    public static final String STAGE_FAILED = "wal_stage_failed";
    private static final Pattern SAFE_DIR = Pattern.compile("(/|<data_dir>/)[A-Za-z0-9_./+-]*");

    private WalStaging() {
    }

    /** One file to deliver: its name, key in the store, size and (S3 single-part) MD5. */
    public record Item(String name, String key, long size, Optional<String> md5) {
        StoredObject stored() {
            return new StoredObject(key, size, md5.map(m -> "md5:" + m));
        }
    }

    public static String dirOf(String dataDir) {
        return (dataDir.endsWith("/") ? dataDir : dataDir + "/") + DIR_NAME;
    }

    /** The tool's restore_command for an instance: copy from its staging directory. */
    public static String restoreCommand(String dataDir) {
        String dir = dirOf(dataDir);
        if (!SAFE_DIR.matcher(dir).matches()) {
            throw new CycleFailure(WAL_INVALID, "data dir " + dataDir + ": WAL staging needs a path of letters, digits"
                    + " and _ . / + - (it goes into restore_command)");
        }
        return "cp " + dir + "/%f %p";
    }

    /**
     * Every needed file of every instance, each looked up in one listing of its directory; a WAL segment of another
     * size, or whose first page is not its own, is refused naming the object. Throws {@link CycleFailure}.
     */
    public static Map<Integer, List<Item>> plan(Map<Integer, List<String>> needed, ObjectStore store,
                                                IntFunction<String> dirOf, long segmentSize, IntFunction<String> systemId) {
        Map<Integer, List<Item>> plan = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        needed.forEach((seg, names) -> {
            Map<String, StoredObject> listing = new HashMap<>();
            store.list(dirOf.apply(seg)).forEach(o -> listing.put(o.name(), o));
            List<Item> items = new ArrayList<>();
            for (String name : names) {
                StoredObject o = listing.get(name);
                if (o == null) {
                    problems.add("instance " + seg + ": " + store.name(ObjectStore.join(dirOf.apply(seg), name))
                            + ": gone from the store since the preflight");
                    continue;
                }
                if (WalFile.kindOf(name).orElse(null) == WalFile.Kind.SEGMENT) {
                    Optional<String> bad = o.size() != segmentSize
                            ? Optional.of(o.size() + " bytes, a WAL segment is " + segmentSize + " (short or corrupt object)")
                            : WalHeader.problem(name, store.getRange(o.key(), 0, WalHeader.LONG_HEADER), segmentSize,
                                    systemId.apply(seg));
                    if (bad.isPresent()) {
                        problems.add("instance " + seg + ": " + store.name(o.key()) + ": " + bad.get());
                        continue;
                    }
                }
                items.add(new Item(name, o.key(), o.size(),
                        o.checksum().filter(c -> c.startsWith("md5:")).map(c -> c.substring(4))));
            }
            plan.put(seg, items);
        });
        if (!problems.isEmpty()) {
            throw new CycleFailure(WAL_INVALID, String.join("; ", problems));
        }
        return plan;
    }

    private static final String FETCH = """
            set -u
            LC_ALL=C; export LC_ALL
            umask 077
            # fetch SEG DIR NAME SIZE MD5 URL: the file staged whole and verified, fetched again once if it is not
            fetch() {
              f=$3
              if [ -f "$2/$f" ] && [ "$(stat -c %s "$2/$f")" = "$4" ] && { [ -z "$5" ] || [ "$(md5sum < "$2/$f" | cut -c1-32)" = "$5" ]; }; then
                kept=$((kept + 1)); return 0
              fi
              why=
              for try in 1 2; do
                rm -f "$2/.$f.part"
                if ! err=$(download "$6" "$2/.$f.part" 2>&1); then
                  why="download failed: $(printf '%s' "$err" | head -n 1 | cut -c1-200)"; continue
                fi
                got=$(stat -c %s "$2/.$f.part")
                if [ "$got" != "$4" ]; then why="fetched $got bytes, expected $4 (short or changed object)"; continue; fi
                if [ -n "$5" ]; then
                  sum=$(md5sum < "$2/.$f.part" | cut -c1-32)
                  if [ "$sum" != "$5" ]; then why="MD5 $sum, expected $5 (corrupt in transit or changed)"; continue; fi
                fi
                mv -f "$2/.$f.part" "$2/$f" && { fetched=$((fetched + 1)); return 0; }
                why="cannot move it into place"
              done
              rm -f "$2/.$f.part"
              echo "@@whpg stage_failed $1 $f: $why"
              return 1
            }
            # prune DIR NAME...: removes what this cycle does not need (files of older cycles)
            prune() {
              d=$1; shift
              for p in "$d"/* "$d"/.[!.]*; do
                [ -e "$p" ] || continue
                n=${p##*/}; keep=
                for w in "$@"; do [ "$n" = "$w" ] && keep=1 && break; done
                [ -n "$keep" ] || rm -rf "$p"
              done
            }
            stagedir() { # SEG DIR
              if [ -L "$2" ] || { [ -e "$2" ] && [ ! -d "$2" ]; }; then echo "@@whpg stage_failed $1 $2: not a directory"; return 1; fi
              mkdir -p "$2" && chmod 700 "$2" || { echo "@@whpg stage_failed $1 $2: cannot create"; return 1; }
            }
            kept=0; fetched=0
            """;

    /** S3: the object from its presigned URL (given to curl on stdin, never on a command line). */
    private static final String CURL = """
            download() { printf 'url = "%s"\\n' "$1" | curl -fsS --connect-timeout 10 --max-time 600 -K - -o "$2"; }
            """;

    /** SFTP: the file fetched with OpenSSH's sftp, the DR host's own key, its host key checked. */
    static String sftpDownload(io.whpg.drsync.config.Backend.Sftp s) {
        return "download() { printf 'get \"%s\" \"%s\"\\n' \"$1\" \"$2\" | sftp -q -b - -o BatchMode=yes"
                + " -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + quote(s.hostKnownHosts()) + " -o ConnectTimeout=10"
                + " -i " + quote(s.hostIdentity()) + " -P " + s.port() + " " + quote(s.user() + "@" + s.host()) + " >/dev/null; }\n";
    }

    /** ssh backend: the file read with {@code cat} over OpenSSH's ssh, the DR host's own key, its host key checked. */
    static String sshDownload(io.whpg.drsync.config.Backend.Sftp s) {
        return "download() { ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="
                + quote(s.hostKnownHosts()) + " -o ConnectTimeout=10 -i " + quote(s.hostIdentity()) + " -p " + s.port() + " "
                + quote(s.user() + "@" + s.host()) + " \"cat '$1'\" > \"$2\"; }\n";
    }

    /** The download function for a store the DR hosts reach with their own login (sftp or ssh backend). */
    public static String hostDownload(io.whpg.drsync.config.Backend b) {
        return io.whpg.drsync.config.Backend.SSH_KIND.equals(b.kind()) ? sshDownload(b.sftp()) : sftpDownload(b.sftp());
    }

    /** As {@link #fetchScript(Map, Map, Map)} with the S3 download (curl from presigned URLs). */
    public static String fetchScript(Map<Integer, String> dataDirs, Map<Integer, List<Item>> plan, Map<String, URI> urls) {
        Map<String, String> sources = new HashMap<>();
        urls.forEach((k, u) -> sources.put(k, u.toString()));
        return fetchScript(CURL, dataDirs, plan, sources);
    }

    /**
     * The script of one host: each instance's files fetched by the host itself ({@code download} SOURCE FILE: curl from
     * a presigned URL, or sftp from the archive host; then md5sum where the store has a checksum),
     * verified, moved into place, the instances in parallel; files of older cycles removed. Prints
     * {@code @@whpg stage_failed SEG NAME: why} per file that could not be delivered.
     */
    public static String fetchScript(String download, Map<Integer, String> dataDirs, Map<Integer, List<Item>> plan,
                                     Map<String, String> sources) {
        StringBuilder sb = new StringBuilder(FETCH).append(download).append("pids=\n");
        dataDirs.forEach((seg, dataDir) -> {
            String dir = quote(dirOf(dataDir));
            sb.append("(\nstagedir ").append(seg).append(' ').append(dir).append(" || exit 1\n");
            sb.append("prune ").append(dir);
            plan.get(seg).forEach(i -> sb.append(' ').append(quote(i.name())));
            sb.append("\nrc=0\n");
            for (Item i : plan.get(seg)) {
                sb.append("fetch ").append(seg).append(' ').append(dir).append(' ').append(quote(i.name())).append(' ')
                        .append(i.size()).append(' ').append(quote(i.md5().orElse(""))).append(' ')
                        .append(quote(sources.get(i.key()))).append(" || rc=1\n");
            }
            sb.append("echo \"@@whpg staged ").append(seg).append(" $fetched fetched $kept kept\"\nexit $rc\n) & pids=\"$pids $!\"\n");
        });
        sb.append("rc=0\nfor p in $pids; do wait \"$p\" || rc=1; done\nexit $rc\n");
        return sb.toString();
    }

    /** After a verified park: the staging directories of the instances started on one host are removed. */
    public static String removeScript(List<String> dataDirs) {
        StringBuilder sb = new StringBuilder("set -u\nrc=0\n");
        dataDirs.forEach(d -> sb.append("rm -rf ").append(quote(dirOf(d))).append(" || rc=1\n"));
        return sb.append("exit $rc\n").toString();
    }

    /** The one-line problems a host's fetch script printed, or its own failure. */
    static List<String> failures(HostReply r) {
        if (r.ok()) {
            return List.of();
        }
        Optional<String> lines = r.result() == null ? Optional.empty() : ScriptOutput.parse(r.result().stdout()).loose("stage_failed");
        return lines.map(l -> l.lines().map(s -> "instance " + s).toList())
                .orElse(List.of("staging on " + r.call().host().describe() + ": " + r.problem()));
    }

    /** Verifies a funnelled copy before it is written: the bytes the store lists, else the object is named. */
    static void checkFetched(ObjectStore store, Item item, byte[] content) {
        try {
            Verified.check(store.name(item.key()), content, item.stored());
        } catch (BackendException e) {
            throw new CycleFailure(STAGE_FAILED, e.getMessage());
        }
    }
}
