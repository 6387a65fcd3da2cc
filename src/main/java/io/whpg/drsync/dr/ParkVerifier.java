package io.whpg.drsync.dr;

import io.whpg.drsync.pg.ControlData;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.pg.WalFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges one instance after its cycle from evidence alone: pg_controldata, the signal files, the
 * timeline history files and the server log. Success is proven, never assumed from a timeout.
 */
public final class ParkVerifier {
    public static final String OK = "parked";
    public static final String TIMEOUT_WAITING_FOR_WAL = "timeout_waiting_for_wal";
    public static final String TIMEOUT = "timeout";
    public static final String PROMOTED = "promoted";
    public static final String VERIFICATION_FAILED = "verification_failed";
    public static final String TARGET_BEHIND_FLOOR = TargetSelector.TARGET_BEHIND_FLOOR;

    private static final Pattern WAITING = Pattern.compile("waiting for WAL to become available at ([0-9A-Fa-f]+/[0-9A-Fa-f]+)");
    private static final Pattern WAL_NAME = Pattern.compile("\\b([0-9A-F]{24})\\b");
    /** MAXALIGNed sizes of PostgreSQL's (and Greenplum 7's) WAL page headers; a segment's first page has the long one. */
    private static final int SHORT_PAGE_HEADER = 24;
    private static final int LONG_PAGE_HEADER = 40;

    /** @param detail one line naming the cause; {@code missingWal} the file replay was waiting for, if known */
    public record Verdict(int gpSegmentId, String status, String detail, String missingWal, ControlData after,
                          List<String> evidence) {
        public boolean ok() {
            return OK.equals(status);
        }
    }

    private ParkVerifier() {
    }

    /** An instance the wait stopped at once because it left recovery ({@code why} from {@link HostScripts#await}). */
    public static Verdict promoted(int gpSegmentId, String why, ScriptOutput.Block b) {
        return new Verdict(gpSegmentId, PROMOTED, "instance " + gpSegmentId + ": left recovery during the wait: " + why,
                null, null, b == null ? List.of() : b.log());
    }

    public static Verdict judge(int gpSegmentId, Lsn target, int timeline, long segmentSize,
                                List<String> historyBefore, ScriptOutput.Block b) {
        if (b == null) {
            return new Verdict(gpSegmentId, VERIFICATION_FAILED, "instance " + gpSegmentId + ": no report from its host",
                    null, null, List.of());
        }
        List<String> log = b.log();
        String who = "instance " + gpSegmentId + ": ";
        if (b.has("running")) {
            String missing = missingWal(log, timeline, segmentSize).orElse(null);
            if (missing != null) {
                return new Verdict(gpSegmentId, TIMEOUT_WAITING_FOR_WAL, who + "still replaying at the deadline, waiting for WAL file "
                        + missing, missing, null, log);
            }
            return new Verdict(gpSegmentId, TIMEOUT, who + "still replaying at the deadline (no missing WAL in its log)",
                    null, null, log);
        }
        ControlData cd;
        try {
            cd = ControlData.parse(b.controlData());
        } catch (IllegalArgumentException e) {
            return new Verdict(gpSegmentId, VERIFICATION_FAILED, who + "pg_controldata unreadable after the stop: "
                    + e.getMessage(), null, null, log);
        }
        List<String> failures = new ArrayList<>();
        if (log.stream().anyMatch(l -> l.contains("before consistent recovery point"))) {
            return new Verdict(gpSegmentId, TARGET_BEHIND_FLOOR, who + "PostgreSQL refused the target: requested recovery stop "
                    + "point is before consistent recovery point", null, cd, log);
        }
        if (!cd.isShutDownInRecovery()) {
            failures.add("cluster state is '" + cd.clusterState() + "', expected 'shut down in recovery'");
        }
        // minRecoveryPoint only moves when a page is flushed: with no page change since the last
        // checkpoint it stays behind the restore point, so the log's stop line is the proof of the
        // exact stop; a minimum recovery ending location past the target is an overshoot.
        if (cd.minRecoveryEnd().isAfter(target)) {
            failures.add("minimum recovery ending location " + cd.minRecoveryEnd() + " is past the target " + target
                    + ": replay overshot");
        }
        if (cd.minRecoveryEndTimeline() != 0 && cd.minRecoveryEndTimeline() != timeline) {
            failures.add("stopped on timeline " + cd.minRecoveryEndTimeline() + ", expected " + timeline);
        }
        if (!b.has("standby_signal")) {
            failures.add("standby.signal disappeared");
        }
        if (b.has("recovery_signal")) {
            failures.add("recovery.signal appeared");
        }
        // A copy following the target's timeline restores that timeline's history on the way; only a history
        // beyond the target's timeline is one the instance wrote itself, i.e. a promotion.
        List<String> newHistory = new ArrayList<>(b.historyFiles());
        newHistory.removeAll(historyBefore);
        newHistory.removeIf(h -> historyTimeline(h) <= timeline);
        if (!newHistory.isEmpty()) {
            failures.add("new timeline history " + newHistory + " appeared: the instance was promoted");
        }
        String stopLine = "recovery stopping before WAL location (LSN) \""
                + nextRecordStart(target, cd.walBlockSize(), segmentSize) + "\"";
        if (log.stream().noneMatch(l -> l.contains(stopLine))) {
            failures.add("its log lacks the line '" + stopLine + "'");
        }
        log.stream().filter(l -> l.contains("FATAL:") || l.contains("PANIC:")).findFirst()
                .ifPresent(l -> failures.add(0, "exited with " + l.substring(l.indexOf(l.contains("FATAL:") ? "FATAL:" : "PANIC:"))));
        if (failures.isEmpty()) {
            return new Verdict(gpSegmentId, OK, who + "parked at " + target, null, cd, log);
        }
        return new Verdict(gpSegmentId, VERIFICATION_FAILED, who + String.join("; ", failures), null, cd, log);
    }

    /**
     * Where the record after one ending at {@code end} starts, i.e. the LSN the stop line names: a restore
     * point that ends exactly on a WAL page boundary is followed by that page's header first.
     */
    static Lsn nextRecordStart(Lsn end, int walBlockSize, long segmentSize) {
        if (Long.remainderUnsigned(end.value(), walBlockSize) != 0) {
            return end;
        }
        return end.plus(Long.remainderUnsigned(end.value(), segmentSize) == 0 ? LONG_PAGE_HEADER : SHORT_PAGE_HEADER);
    }

    /** The timeline of {@code NNNNNNNN.history}; a name of another shape counts as beyond every timeline. */
    private static long historyTimeline(String name) {
        return name.matches("[0-9A-Fa-f]{8}\\.history") ? Long.parseLong(name.substring(0, 8), 16) : Long.MAX_VALUE;
    }

    /**
     * The WAL file a stuck replay waits for: named by the restore_command's own error when it printed one,
     * else computed from PostgreSQL's "waiting for WAL to become available at X/Y".
     */
    static Optional<String> missingWal(List<String> log, int timeline, long segmentSize) {
        for (int i = log.size() - 1; i >= 0; i--) {
            String l = log.get(i);
            if (l.contains("No such file") || l.contains("Permission denied") || l.contains("cannot")
                    || l.contains("could not")) {
                Matcher m = WAL_NAME.matcher(l);
                if (m.find()) {
                    return Optional.of(m.group(1));
                }
            }
        }
        for (int i = log.size() - 1; i >= 0; i--) {
            Matcher m = WAITING.matcher(log.get(i));
            if (m.find()) {
                // the LSN is the end of the bytes it asked for (page start + request length): previous-byte rule
                return Optional.of(WalFile.containing(Lsn.parse(m.group(1)), timeline, segmentSize).name());
            }
        }
        return Optional.empty();
    }
}
