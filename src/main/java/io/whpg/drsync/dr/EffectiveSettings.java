package io.whpg.drsync.dr;

import static io.whpg.drsync.exec.ShellQuote.quote;

import java.util.ArrayList;
import java.util.List;

/**
 * After the recovery file is written and before anything starts: what PostgreSQL itself will use for every
 * setting that decides how recovery ends, asked of the stopped instance with {@code postgres -D DIR -C NAME}
 * and the exact options of the coming start (so no reading of ours can drift from the server's parser:
 * case-insensitive names, every include form, later lines, postgresql.auto.conf, the command line). Works on
 * PostgreSQL 12 (Greenplum 7) to 15. A value other than what the tool wrote (say {@code RECOVERY_TARGET_ACTION =
 * 'promote'} in postgresql.auto.conf, or a line after the include in postgresql.conf), a promote trigger file or an
 * empty restore_command refuses the instance before any start, naming the setting, its effective value and the last
 * file:line of the include tree that sets it.
 */
public final class EffectiveSettings {
    /**
     * Prints the last {@code file:line: text} that sets the setting {@code want}, following PostgreSQL's order:
     * postgresql.conf with its include, include_if_exists and include_dir files where they stand, then
     * postgresql.auto.conf. Names compare case-insensitively; nesting stops at PostgreSQL's depth of 10.
     */
    private static final String WHERE_AWK = """
            function dirof(f) { if (f ~ /\\//) { sub(/\\/[^\\/]*$/, "", f); return f } return "." }
            function scan(f, depth,    line, n, key, val, p, cmd, g, list, k, i) {
              if (depth > 10) return
              n = 0
              while ((getline line < f) > 0) {
                n++
                text = line
                sub(/#.*/, "", line)
                if (line !~ /^[ \\t]*[A-Za-z_][A-Za-z0-9_.]*([ \\t]*=|[ \\t])/) continue
                key = line; sub(/^[ \\t]*/, "", key); val = key; sub(/[ \\t=].*/, "", key); key = tolower(key)
                sub(/^[A-Za-z0-9_.]+[ \\t]*=?[ \\t]*/, "", val); sub(/[ \\t]+$/, "", val)
                if (val ~ /^'.*'$/) val = substr(val, 2, length(val) - 2)
                p = val; if (p !~ /^\\//) p = dirof(f) "/" p
                if (key == want) found = f ":" n ": " text
                else if (key == "include" || key == "include_if_exists") scan(p, depth + 1)
                else if (key == "include_dir") {
                  gsub(/'/, "'\\\\''", p); cmd = "ls -1 '" p "' 2>/dev/null | LC_ALL=C sort"; k = 0
                  while ((cmd | getline g) > 0) if (g ~ /\\.conf$/ && g !~ /^\\./) list[++k] = val "/" g
                  close(cmd)
                  for (i = 1; i <= k; i++) { g = list[i]; if (g !~ /^\\//) g = dirof(f) "/" g; scan(g, depth + 1) }
                }
              }
              close(f)
            }
            BEGIN { found = ""; scan(top "/postgresql.conf", 0); scan(top "/postgresql.auto.conf", 0); gsub(/[^ -~]/, "?", found); print found }
            """;

    private static final String FUNCTIONS = """
            setting() { # seg dir port name: sets v to the value the server would use; 1 when this version has no such setting
              v=$("$PGBIN/postgres" -D "$2" -C "$4" $(opts "$3") 2>&1) && return 0
              case "$v" in *"unrecognized configuration parameter"*) return 1;; esac
              refuse "$1" "postgres -C $4 failed: $(printf '%s\\n' "$v" | head -n 1)"
            }
            where() { # dir name
              w=$(awk -v top="$1" -v want="$2" "$WHERE_AWK" 2>/dev/null)
              if [ -n "$w" ]; then echo "set at $w"; else echo "not set in postgresql.conf, its includes or postgresql.auto.conf: from the command line or a default"; fi
            }
            expect() { # seg dir port name value why
              setting "$1" "$2" "$3" "$4" || return 0
              [ "$v" = "$5" ] || refuse "$1" "$4 is '$v' for PostgreSQL ($(where "$2" "$4")), not '$5' $6: recovery could end other than by shutting down at the target"
            }
            nonempty() { # seg dir port name why
              setting "$1" "$2" "$3" "$4" || return 0
              [ -n "$v" ] || refuse "$1" "$4 is empty for PostgreSQL ($(where "$2" "$4")): $5"
            }
            """;

    private EffectiveSettings() {
    }

    /**
     * The check of every planned instance on one host, appended to {@link HostScripts#prepare}'s script (it uses that
     * script's prelude, temp dir and core count): the instances side by side, each asking its questions in two halves
     * that also run side by side while the host has more cores than instances (on a 2-core host one instance's check
     * takes half the time; with more instances than cores, the halves run one after the other as before). Exits 3 with
     * one {@code @@whpg refused SEG: ...} per instance at its first setting (in the recovery file's order) that differs,
     * else prints {@code @@whpg settings_ok SEG} per instance. archive_mode is not asked: the start's own command line
     * sets it off, and the command line outranks every file.
     */
    public static String check(String pgBin, String restorePoint, List<PlannedStart> plans) {
        StringBuilder sb = new StringBuilder(HostScripts.SERVER_OPTIONS).append(FUNCTIONS);
        sb.append("PGBIN=").append(quote(pgBin)).append('\n');
        sb.append("WHERE_AWK=").append(quote(WHERE_AWK)).append('\n');
        HostScripts.targetOption(sb, restorePoint);
        sb.append("par_tmp\nsplit=1; [ ").append(plans.size()).append(" -ge \"$par_max\" ] || split=2\n");
        sb.append("ask_all() {\n  pids=\n");
        StringBuilder segs = new StringBuilder();
        for (PlannedStart p : plans) {
            List<String> questions = questions(p);
            String out = "\"$par_dir/" + p.gpSegmentId() + ".settings";
            int half = (questions.size() + 1) / 2;
            sb.append("  (\n    ( ").append(String.join("; ", questions.subList(0, half))).append(" ) > ").append(out)
                    .append(".a\" & a=$!\n    [ $split = 2 ] || wait $a\n    ( ")
                    .append(String.join("; ", questions.subList(half, questions.size()))).append(" ) > ").append(out)
                    .append(".b\"\n    wait $a; cat ").append(out).append(".a\" ").append(out).append(".b\"\n")
                    .append("  ) & pids=\"$pids $!\"\n");
            segs.append(segs.length() == 0 ? "" : " ").append(p.gpSegmentId());
        }
        sb.append("  for p in $pids; do wait \"$p\"; done\n}\n");
        sb.append("ask_all > \"$par_dir/settings\"\n");
        sb.append("awk -v segs=").append(quote(segs.toString())).append(' ').append(quote(FIRST_REFUSAL_AWK))
                .append(" \"$par_dir/settings\"\nexit $?\n");
        return sb.toString();
    }

    /** One instance's questions in the recovery file's order, then the promote trigger and restore_command. */
    private static List<String> questions(PlannedStart p) {
        String head = p.gpSegmentId() + " " + quote(p.dataDir()) + " " + p.port() + " ";
        List<String> q = new ArrayList<>();
        p.recoverySettings().forEach((name, value) -> q.add("expect " + head + name + " " + quote(value) + " "
                + quote("as the tool wrote it in " + HostScripts.RECOVERY_CONF)));
        q.add("expect " + head + "promote_trigger_file '' " + quote("(a trigger file would promote the instance)"));
        q.add("nonempty " + head + "restore_command " + quote("replay could not read the archive"));
        return q;
    }

    /** Keeps each instance's first refusal (its halves are printed in question order), then settings_ok for the others. */
    private static final String FIRST_REFUSAL_AWK = """
            /^@@whpg refused / { seg = $3; sub(/:$/, "", seg); if (seg in refused) next; refused[seg] = 1; bad = 1 }
            { print }
            END { n = split(segs, s, " "); for (i = 1; i <= n; i++) if (!(s[i] in refused)) print "@@whpg settings_ok " s[i]; exit bad ? 3 : 0 }
            """;
}
