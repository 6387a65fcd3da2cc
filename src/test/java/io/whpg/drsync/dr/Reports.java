package io.whpg.drsync.dr;

import io.whpg.drsync.pg.PgSamples;
import java.util.List;

/** Output of the probe and await scripts for one instance, built from the real samples under src/test/resources. */
final class Reports {
    private Reports() {
    }

    /** One instance's block: the control-data text as {@code @@cd} lines, then the given tag/log lines as they are. */
    static String block(int gpSegmentId, String controlData, List<String> lines) {
        StringBuilder sb = new StringBuilder("@@whpg begin " + gpSegmentId + "\n");
        controlData.lines().forEach(l -> sb.append("@@cd ").append(l).append('\n'));
        lines.forEach(l -> sb.append(l).append('\n'));
        return sb.append("@@whpg end ").append(gpSegmentId).append('\n').toString();
    }

    static ScriptOutput.Block parsed(int gpSegmentId, String controlData, List<String> lines) {
        return ScriptOutput.parse(block(gpSegmentId, controlData, lines)).block(gpSegmentId).orElseThrow();
    }

    static String sample(String resource) {
        return PgSamples.read(resource);
    }

    /** A server-log sample as the await script reports it. */
    static List<String> log(String resource) {
        return PgSamples.read(resource).lines().map(l -> "@@log " + l).toList();
    }

    /** A backup_label as the probe reports it. */
    static List<String> label(String resource) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("@@whpg backup_label"),
                PgSamples.read(resource).lines().map(l -> "@@bl " + l)).toList();
    }

    static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
