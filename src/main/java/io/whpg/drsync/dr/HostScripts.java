package io.whpg.drsync.dr;

import static io.whpg.drsync.exec.ShellQuote.quote;

import io.whpg.drsync.state.RestorePointName;
import java.util.List;

/**
 * The shell scripts of one DR cycle, one per host and step, covering every instance on that host, so
 * a host costs one round trip per step however many instances it holds. Every path and value is
 * quoted with {@link io.whpg.drsync.exec.ShellQuote}; the output is line-tagged for {@link ScriptOutput}.
 */
public final class HostScripts {
    /** The file the tool owns in each data dir; postgresql.conf includes it. */
    public static final String RECOVERY_CONF = "whpg_dr_sync.recovery.conf";
    public static final String INCLUDE_LINE = "include_if_exists = '" + RECOVERY_CONF + "'";

    static final String PRELUDE = """
            set -u
            LC_ALL=C; LANG=C; export LC_ALL LANG
            # A postmaster runs in its data dir: a pid reused after a crash or reboot is not mistaken for one.
            alive() { [ -f "$1/postmaster.pid" ] && p=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) && [ -n "$p" ] \
              && [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$(cd "$1" 2>/dev/null && pwd -P)" ]; }
            """;

    /**
     * The most instances of one host a step works on at once (probe, prepare's writes, start, await's reports); fewer
     * when the host has fewer cores ({@code nproc}): on a 2-core host, 8 at once was no faster than one at a time
     * while 2 at once was (bench/results/round2).
     */
    public static final int PARALLEL_PER_HOST = 8;

    /**
     * {@code par KEY CMD...} runs CMD in the background, its stdout and stderr kept in a private temp dir
     * ({@code mktemp -d}: created exclusively, mode 0700, removed at exit), one per core of the host, at most
     * {@value #PARALLEL_PER_HOST} at once; {@code par_flush} waits for them and prints their outputs in the order they were started, so the
     * host's output stays one tagged stream in instance order, and sets {@code par_rc} to the first non-zero exit.
     * {@code par_tmp} makes that temp dir, once.
     */
    static final String PARALLEL = """
            par_max=$(nproc 2>/dev/null) || par_max=1; [ "$par_max" -le PAR_MAX ] 2>/dev/null || par_max=PAR_MAX
            par_dir=""; par_jobs=""; par_n=0; par_rc=0
            par_tmp() {
              [ -z "$par_dir" ] || return 0
              par_dir=$(mktemp -d "${TMPDIR:-/tmp}/whpg_dr_sync.XXXXXXXXXX") || { echo "@@whpg write_failed cannot create a temp dir for parallel work"; exit 4; }
              trap 'rm -rf "$par_dir"' EXIT; trap 'exit 143' TERM INT HUP
            }
            par() {
              par_tmp
              [ "$par_n" -lt "$par_max" ] || par_flush
              k=$1; shift
              ( "$@" ) > "$par_dir/$k.out" 2> "$par_dir/$k.err" &
              par_jobs="$par_jobs $k:$!"; par_n=$((par_n+1))
            }
            par_flush() {
              for j in $par_jobs; do
                wait "${j#*:}"; rc=$?
                [ "$par_rc" != 0 ] || par_rc=$rc
                cat "$par_dir/${j%%:*}.out"; cat "$par_dir/${j%%:*}.err" >&2
                rm -f "$par_dir/${j%%:*}.out" "$par_dir/${j%%:*}.err"
              done
              par_jobs=""; par_n=0
            }
            """.replace("PAR_MAX", Integer.toString(PARALLEL_PER_HOST));

    private HostScripts() {
    }

    /** Per instance: control data, signal files, postmaster, base-backup leftovers, foreign targets, timelines. */
    public static String probe(String pgBin, List<InstanceRef> instances) {
        StringBuilder sb = new StringBuilder(PRELUDE).append(PARALLEL).append("""
                probe() {
                  echo "@@whpg begin $1"; d=$2
                  if [ ! -d "$d" ]; then echo "@@whpg missing"; echo "@@whpg end $1"; return; fi
                  "$PGBIN/pg_controldata" "$d" 2>&1 | sed 's/^/@@cd /'
                  [ -f "$d/standby.signal" ] && echo "@@whpg standby_signal"
                  [ -f "$d/recovery.signal" ] && echo "@@whpg recovery_signal"
                  if alive "$d"; then
                    echo "@@whpg running $(head -n 1 "$d/postmaster.pid")"
                    sed -n 's/.*"-c" "whpg_dr_sync\\.target=\\([A-Za-z0-9_.-]*\\)".*/@@whpg started_for \\1/p' "$d/postmaster.opts" 2>/dev/null
                  fi
                  if [ -f "$d/backup_label" ]; then
                    echo "@@whpg backup_label"; head -c 8192 "$d/backup_label" | sed 's/^/@@bl /'; echo
                  fi
                  [ -f "$d/backup_manifest" ] && tail -c 8192 "$d/backup_manifest" | tr -d '\\n' \\
                    | grep -o '"End-LSN": *"[0-9A-Fa-f]*/[0-9A-Fa-f]*"' | tail -n 1 | sed 's/^/@@whpg backup_end /'
                  [ -f "$d/postgresql.auto.conf" ] && grep -E '^[[:space:]]*recovery_target' "$d/postgresql.auto.conf" | sed 's/^/@@foreign postgresql.auto.conf: /'
                  grep -qxF "$INCLUDE" "$d/postgresql.conf" 2>/dev/null && echo "@@whpg include_present"
                  ls "$d/pg_wal" 2>/dev/null | grep '\\.history$' | sed 's/^/@@hist /'
                  echo "@@whpg end $1"
                }
                """);
        sb.append("PGBIN=").append(quote(pgBin)).append('\n');
        sb.append("INCLUDE=").append(quote(INCLUDE_LINE)).append('\n');
        for (InstanceRef i : instances) {
            sb.append("par ").append(i.gpSegmentId()).append(" probe ").append(i.gpSegmentId()).append(' ')
                    .append(quote(i.dataDir())).append('\n');
        }
        return sb.append("par_flush\n").toString();
    }

    /**
     * Re-checks each instance is parked (standby.signal, no recovery.signal, not running) and has a postgresql.conf
     * that is a regular file (not a symlink) it can read and a data dir it can write (one written from scratch would
     * lack restore_command), then writes the tool's recovery file and makes sure postgresql.conf includes it. Every
     * write goes to a {@code mktemp} file in the same directory (created exclusively, never through a symlink),
     * is fsynced and renamed over the target ({@code mv -T}: a symlink there is replaced, never followed); a failed
     * write removes its temp file. postgresql.conf is rewritten only from a copy read in full, with a byte-for-byte
     * backup beside it that stays until the new file is checked (its old bytes, then the include line). No data
     * passes through a pipeline (dash, the usual {@code sh}, has no {@code pipefail}).
     * Exits 3 at the first instance that is not parked or whose config is odd, before touching any; exits 4 when a
     * write fails. The checks run one after another; the writes (two fsyncs each) run side by side, up to
     * {@value #PARALLEL_PER_HOST} at once, so one failing write does not stop the others (each is whole or absent).
     */
    public static String prepare(List<PlannedStart> plans) {
        StringBuilder sb = new StringBuilder(PRELUDE).append(PARALLEL).append("""
                umask 077
                refuse() { echo "@@whpg refused $1: $2"; exit 3; }
                failed() { echo "@@whpg write_failed $1"; exit 4; }
                check() {
                  c="$2/postgresql.conf"
                  [ ! -L "$c" ] || refuse "$1" "postgresql.conf is a symlink: the tool does not rewrite a file elsewhere"
                  [ -e "$c" ] || refuse "$1" "postgresql.conf is missing"
                  [ -f "$c" ] || refuse "$1" "postgresql.conf is not a regular file"
                  cat "$c" >/dev/null 2>&1 || refuse "$1" "postgresql.conf is not readable by $(id -un)"
                  [ -w "$2" ] || refuse "$1" "the data directory is not writable by $(id -un)"
                  r="$2/$RECOVERY_CONF"
                  [ ! -L "$r" ] && { [ ! -e "$r" ] || [ -f "$r" ]; } || refuse "$1" "$RECOVERY_CONF is a symlink or not a regular file"
                  [ -f "$2/standby.signal" ] || refuse "$1" "standby.signal is missing"
                  [ ! -f "$2/recovery.signal" ] || refuse "$1" "recovery.signal is present"
                  ! alive "$2" || refuse "$1" "a postmaster is running"
                }
                put() { # $1 file, $2 content
                  t=$(mktemp "$(dirname "$1")/.whpg_dr_sync.XXXXXXXXXX") || return 1
                  if printf '%s' "$2" > "$t" && sync "$t" && mv -fT "$t" "$1" && sync "$(dirname "$1")"; then return 0; fi
                  rm -f "$t"; return 1
                }
                include() {
                  c="$1/postgresql.conf"
                  grep -qxF "$INCLUDE" "$c"; found=$?
                  [ $found = 0 ] && return 0
                  [ $found = 1 ] || { echo "@@whpg write_failed cannot read $c"; return 1; }
                  size=$(wc -c < "$c") || return 1
                  b=$(mktemp "$1/.postgresql.conf.whpg_dr_sync-backup.XXXXXXXXXX") || return 1
                  t=$(mktemp "$1/.whpg_dr_sync.XXXXXXXXXX") || { rm -f "$b"; return 1; }
                  if ! { cat "$c" > "$b" && cmp -s "$c" "$b" && cat "$c" > "$t" && cmp -s "$c" "$t" \
                      && printf '\n# added by whpg_dr_sync: recovery targets live in the file below\n%s\n' "$INCLUDE" >> "$t" \
                      && chmod --reference="$c" "$t" && sync "$t" "$b"; } 2>/dev/null; then
                    rm -f "$t" "$b"; echo "@@whpg write_failed adding the include to $c: cannot write its new copy (nothing changed)"
                    return 1
                  fi
                  mv -fT "$t" "$c" || { rm -f "$t" "$b"; echo "@@whpg write_failed cannot replace $c (nothing changed)"; return 1; }
                  sync "$1"
                  if cmp -s -n "$size" "$c" "$b" && [ "$(tail -n 1 "$c")" = "$INCLUDE" ]; then rm -f "$b"; return 0; fi
                  if mv -fT "$b" "$c"; then echo "@@whpg write_failed $c did not verify after adding the include: the previous file is back"
                  else echo "@@whpg write_failed $c did not verify after adding the include; its previous content is kept in $b"; fi
                  return 1
                }
                write() { # seg, data dir, recovery file content
                  put "$2/$RECOVERY_CONF" "$3" || failed "writing $RECOVERY_CONF of instance $1"
                  include "$2" || exit 4
                  echo "@@whpg prepared $1"
                }
                """);
        sb.append("INCLUDE=").append(quote(INCLUDE_LINE)).append('\n');
        sb.append("RECOVERY_CONF=").append(RECOVERY_CONF).append('\n');
        for (PlannedStart p : plans) {
            sb.append("check ").append(p.gpSegmentId()).append(' ').append(quote(p.dataDir())).append('\n');
        }
        for (PlannedStart p : plans) {
            sb.append("par ").append(p.gpSegmentId()).append(" write ").append(p.gpSegmentId()).append(' ')
                    .append(quote(p.dataDir())).append(' ').append(quote(p.recoveryConf())).append('\n');
        }
        return sb.append("par_flush; [ $par_rc = 0 ] || exit $par_rc\n").toString();
    }

    /** The server option that marks a postmaster as started by the tool towards a restore point (postmaster.opts keeps it). */
    public static final String TARGET_OPTION = "whpg_dr_sync.target";

    /**
     * Starts every planned instance without waiting (pg_ctl's exit code means nothing here, see FACTS),
     * then waits briefly until each has written postmaster.pid or already ended. pg_ctl pastes -D and -l
     * into a double-quoted {@code sh -c} line, where {@code $} or a backquote in a path would be expanded,
     * so it runs inside the data directory with {@code -D .} and the log named relative to it. Each server gets the
     * placeholder option {@value #TARGET_OPTION}, so a later run can tell a server this tool started
     * (and that a crash left running) from one started by someone else.
     */
    public static String start(String pgBin, String restorePoint, List<PlannedStart> plans) {
        StringBuilder sb = new StringBuilder(PRELUDE).append(PARALLEL).append(SERVER_OPTIONS).append("""
                launch() { # seg, data dir, port, log file, log file as pg_ctl gets it
                  mkdir -p "$(dirname "$4")"
                  (cd "$2" && "$PGBIN/pg_ctl" start -W -D . -l "$5" -o "$(opts "$3")") >/dev/null 2>&1
                  echo "@@whpg launched $1 $?"
                }
                settle() { # seg, data dir, log file: until postmaster.pid appears or the log shows the end
                  n=0
                  while [ $n -lt 200 ]; do
                    alive "$2" && return 0
                    grep -qE 'database system is shut down|FATAL|PANIC' "$3" 2>/dev/null && return 0
                    sleep 0.05; n=$((n+1))
                  done
                }
                boot() { launch "$@"; settle "$1" "$2" "$4"; }
                """);
        sb.append("PGBIN=").append(quote(pgBin)).append('\n');
        targetOption(sb, restorePoint);
        for (PlannedStart p : plans) {
            // launched and settled side by side: no instance waits for the ones before it
            sb.append("par ").append(p.gpSegmentId()).append(" boot ").append(p.gpSegmentId()).append(' ')
                    .append(quote(p.dataDir())).append(' ').append(p.port()).append(' ').append(quote(p.logFile()))
                    .append(' ').append(quote(logForPgCtl(p))).append('\n');
        }
        return sb.append("par_flush\n").toString();
    }

    /**
     * {@code opts PORT}: the server options every start uses (one word each: the target is a validated name), so
     * {@code postgres -C} can be asked with exactly the command line the start will have.
     */
    static final String SERVER_OPTIONS = """
            opts() { echo "-c port=$1 -c archive_mode=off -c logging_collector=off -c $TARGET_OPTION=$TARGET"; }
            """;

    static void targetOption(StringBuilder sb, String restorePoint) {
        sb.append("TARGET_OPTION=").append(TARGET_OPTION).append('\n');
        sb.append("TARGET=").append(quote(RestorePointName.validate("restore point", restorePoint))).append('\n');
    }

    /** The log file relative to the data directory when it lies inside it (the tool puts it there), else as given. */
    static String logForPgCtl(PlannedStart p) {
        String prefix = p.dataDir().endsWith("/") ? p.dataDir() : p.dataDir() + "/";
        return p.logFile().startsWith(prefix) ? p.logFile().substring(prefix.length()) : p.logFile();
    }

    /**
     * Waits up to {@code seconds} for every planned postmaster to exit by itself (polled every 0.1 s on
     * the host), then reports per instance: still running or not, control data, signals, timelines and
     * the evidence lines of its log. {@code adopted} instances were not started (they already stand at the
     * target): they are reported the same way, with the evidence of the newest log of a start towards
     * {@code restorePoint}. While waiting, a started instance that leaves recovery (standby.signal removed, a
     * timeline history past its target timeline) is stopped at once with {@code pg_ctl stop -m immediate} (it is
     * lost as a DR copy either way; stopped, it can do no harm) and reported as {@code @@whpg promoted SEG why},
     * with the recovery settings PostgreSQL then reads.
     */
    public static String await(String pgBin, String restorePoint, List<PlannedStart> plans, List<InstanceRef> adopted,
                               long seconds) {
        StringBuilder sb = new StringBuilder(PRELUDE).append(PARALLEL).append("""
                report() { # seg, data dir, log file
                  echo "@@whpg begin $1"; d=$2
                  alive "$d" && echo "@@whpg running $(head -n 1 "$d/postmaster.pid")"
                  "$PGBIN/pg_controldata" "$d" 2>&1 | sed 's/^/@@cd /'
                  [ -f "$d/standby.signal" ] && echo "@@whpg standby_signal"
                  [ -f "$d/recovery.signal" ] && echo "@@whpg recovery_signal"
                  ls "$d/pg_wal" 2>/dev/null | grep '\\.history$' | sed 's/^/@@hist /'
                  grep -E 'recovery stopping|FATAL|PANIC|ERROR|could not|cannot|No such file|Permission denied|waiting for WAL|consistent recovery state|shutdown at recovery target|database system is shut down|selected new timeline|archive recovery complete' "$3" 2>/dev/null \\
                    | tail -n 40 | sed 's/^/@@log /'
                  echo "@@whpg end $1"
                }
                watch() { # seg, data dir, target timeline: an instance leaving recovery is stopped at once
                  why=""
                  [ -f "$2/standby.signal" ] || why="standby.signal was removed"
                  for h in "$2"/pg_wal/*.history; do
                    n=${h##*/}; n=${n%.history}
                    case "$n" in [0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]) ;; *) continue;; esac
                    [ $((0x$n)) -gt "$3" ] && why="${why:+$why, }timeline history $n.history appeared (target timeline $3)"
                  done
                  [ -z "$why" ] && return 0
                  "$PGBIN/pg_ctl" stop -m immediate -w -t 60 -D "$2" >/dev/null 2>&1; rc=$?
                  a=$("$PGBIN/postgres" -D "$2" -C recovery_target_action 2>/dev/null)
                  t=$("$PGBIN/postgres" -D "$2" -C promote_trigger_file 2>/dev/null)
                  echo "@@whpg promoted $1 $why; stopped at once (pg_ctl stop -m immediate, exit $rc); PostgreSQL now reads recovery_target_action = '$a', promote_trigger_file = '$t' (or pg_ctl promote / promote.signal)"
                  return 1
                }
                """);
        sb.append("PGBIN=").append(quote(pgBin)).append('\n');
        StringBuilder watches = new StringBuilder();
        for (int i = 0; i < plans.size(); i++) {
            // each instance is watched until it stops or is stopped: w<i> marks it done
            PlannedStart p = plans.get(i);
            watches.append("  [ -n \"${w").append(i).append(":-}\" ] || { alive ").append(quote(p.dataDir()))
                    .append(" && watch ").append(p.gpSegmentId()).append(' ').append(quote(p.dataDir())).append(' ')
                    .append(Integer.parseInt(p.recoverySettings().get("recovery_target_timeline")))
                    .append("; } || w").append(i).append("=1\n");
        }
        waitUntilAllExited(sb, plans.stream().map(PlannedStart::dataDir).toList(), seconds, watches.toString());
        for (PlannedStart p : plans) {
            sb.append("par ").append(p.gpSegmentId()).append(" report ").append(p.gpSegmentId()).append(' ')
                    .append(quote(p.dataDir())).append(' ').append(quote(p.logFile())).append('\n');
        }
        for (InstanceRef i : adopted) {
            String d = quote(i.dataDir());
            sb.append("par ").append(i.gpSegmentId()).append(" report ").append(i.gpSegmentId()).append(' ').append(d).append(" \"$(ls -1 ").append(d)
                    .append("/log/whpg_dr_sync-").append(quote(RestorePointName.validate("restore point", restorePoint)))
                    .append("-*.log 2>/dev/null | sort | tail -n 1)\"\n");
        }
        return sb.append("par_flush\n").toString();
    }

    /**
     * Polls every 0.1 s on the host until none of these postmasters runs, or {@code seconds} have passed;
     * {@code eachPoll} runs first in every round.
     */
    private static void waitUntilAllExited(StringBuilder sb, List<String> dataDirs, long seconds, String eachPoll) {
        sb.append("deadline=$(( $(date +%s) + ").append(seconds).append(" ))\n");
        sb.append("while :; do\n").append(eachPoll).append("  up=0\n");
        for (String d : dataDirs) {
            sb.append("  alive ").append(quote(d)).append(" && up=1\n");
        }
        sb.append("""
                  [ $up = 0 ] && break
                  [ "$(date +%s)" -ge "$deadline" ] && break
                  sleep 0.1
                done
                """);
    }

    /**
     * For servers an earlier run started and left running (it was killed): waits up to {@code seconds} for
     * each to stop by itself at its target, then fast-stops any still running (a standby stopped so stays in
     * recovery, parked wherever it got). Reports {@code settled <seg> exited} or {@code settled <seg> stopped <rc>}.
     */
    public static String settle(String pgBin, List<InstanceRef> running, long seconds) {
        StringBuilder sb = new StringBuilder(PRELUDE);
        sb.append("PGBIN=").append(quote(pgBin)).append('\n');
        waitUntilAllExited(sb, running.stream().map(InstanceRef::dataDir).toList(), seconds, "");
        for (InstanceRef i : running) {
            String d = quote(i.dataDir());
            sb.append("if alive ").append(d).append("; then \"$PGBIN/pg_ctl\" stop -m fast -w -t 60 -D ").append(d)
                    .append(" >/dev/null 2>&1; echo \"@@whpg settled ").append(i.gpSegmentId())
                    .append(" stopped $?\"; else echo \"@@whpg settled ").append(i.gpSegmentId()).append(" exited\"; fi\n");
        }
        return sb.toString();
    }

    /** Fast shutdown of whichever of these instances still run: a standby stopped this way stays parked. */
    public static String stop(String pgBin, List<InstanceRef> instances) {
        StringBuilder sb = new StringBuilder(PRELUDE);
        sb.append("PGBIN=").append(quote(pgBin)).append('\n');
        for (InstanceRef i : instances) {
            String d = quote(i.dataDir());
            sb.append("if alive ").append(d).append("; then \"$PGBIN/pg_ctl\" stop -m fast -w -t 60 -D ").append(d)
                    .append(" >/dev/null 2>&1; echo \"@@whpg stopped ").append(i.gpSegmentId()).append(" $?\"; fi\n");
        }
        return sb.toString();
    }
}
