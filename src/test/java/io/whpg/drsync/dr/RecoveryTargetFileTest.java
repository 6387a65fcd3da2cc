package io.whpg.drsync.dr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.pg.Lsn;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecoveryTargetFileTest {
    private static final List<String> TARGET_KINDS = List.of("recovery_target", "recovery_target_name",
            "recovery_target_time", "recovery_target_xid", "recovery_target_lsn");

    /** The settings of the file as PostgreSQL reads them: each key once, later lines would win. */
    private static Map<String, String> settings(String file) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : file.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] kv = line.split("=", 2);
            String previous = settings.put(kv[0].strip(), kv[1].strip());
            assertEquals(null, previous, "set twice: " + kv[0]);
        }
        return settings;
    }

    private static String render() {
        return RecoveryTargetFile.render("sync_point_20260201_181406", Lsn.parse("9/E40000C8"), 3,
                Instant.parse("2026-02-01T18:35:49Z"));
    }

    @Test
    void exactlyOneNonEmptyTargetTheRestoreLsn() {
        Map<String, String> s = settings(render());
        List<String> nonEmpty = TARGET_KINDS.stream().filter(k -> !"''".equals(s.get(k))).toList();
        assertEquals(List.of("recovery_target_lsn"), nonEmpty);
        assertEquals("'9/E40000C8'", s.get("recovery_target_lsn"));
        assertTrue(s.keySet().containsAll(TARGET_KINDS), "every other target kind is reset: " + s.keySet());
    }

    @Test
    void stopsBeforeTheNextRecordThenShutsDownOnThePinnedTimeline() {
        Map<String, String> s = settings(render());
        assertEquals("off", s.get("recovery_target_inclusive"));
        assertEquals("'shutdown'", s.get("recovery_target_action"));
        assertEquals("'3'", s.get("recovery_target_timeline"));
        assertEquals(List.of("recovery_target", "recovery_target_name", "recovery_target_time", "recovery_target_xid",
                "recovery_target_lsn", "recovery_target_inclusive", "recovery_target_timeline", "recovery_target_action"),
                List.copyOf(s.keySet()), "the resets come before the LSN");
    }

    @Test
    void theWholeFile() {
        assertEquals("""
                # Written by whpg_dr_sync at 2026-02-01T18:35:49Z for restore point sync_point_20260201_181406.
                # Owned by the tool: rewritten every cycle, do not edit.
                recovery_target = ''
                recovery_target_name = ''
                recovery_target_time = ''
                recovery_target_xid = ''
                recovery_target_lsn = '9/E40000C8'
                recovery_target_inclusive = off
                recovery_target_timeline = '3'
                recovery_target_action = 'shutdown'
                """, render());
    }

    @Test
    void aNameThatCouldBreakTheCommentLineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecoveryTargetFile.render("rp\nrecovery_target_name = 'x'", Lsn.parse("0/1"), 1, Instant.EPOCH));
        assertTrue(e.getMessage().startsWith("restore point: invalid restore point name"), e.getMessage());
    }
}
