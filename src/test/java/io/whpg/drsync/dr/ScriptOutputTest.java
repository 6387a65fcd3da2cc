package io.whpg.drsync.dr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScriptOutputTest {

    @Test
    void blocksCarryControlDataTagsLogHistoryAndForeignSettings() {
        String out = """
                @@whpg begin -1
                @@cd Database cluster state:               shut down in recovery
                @@cd Minimum recovery ending location:     0/3016120
                @@whpg standby_signal
                @@whpg running 4242
                @@whpg backup_end "End-LSN": "0/2000100"
                @@foreign postgresql.auto.conf: recovery_target_name = 'x'
                @@hist 00000002.history
                @@log 2026-11-27 10:00:00.000 UTC [4242] LOG:  shutdown at recovery target
                @@log   indented: kept as is
                @@whpg end -1
                @@whpg begin 0
                @@whpg missing
                @@whpg end 0
                """;
        ScriptOutput parsed = ScriptOutput.parse(out);
        ScriptOutput.Block coordinator = parsed.block(-1).orElseThrow();
        assertEquals("Database cluster state:               shut down in recovery\n"
                + "Minimum recovery ending location:     0/3016120\n", coordinator.controlData());
        assertTrue(coordinator.has("standby_signal"));
        assertEquals(Optional.empty(), coordinator.value("standby_signal"), "a flag has no value");
        assertFalse(coordinator.has("recovery_signal"));
        assertEquals(Optional.of("4242"), coordinator.value("running"));
        assertEquals(Optional.of("\"End-LSN\": \"0/2000100\""), coordinator.value("backup_end"));
        assertEquals(List.of("postgresql.auto.conf: recovery_target_name = 'x'"), coordinator.foreignSettings());
        assertEquals(List.of("00000002.history"), coordinator.historyFiles());
        assertEquals(List.of("2026-11-27 10:00:00.000 UTC [4242] LOG:  shutdown at recovery target",
                "  indented: kept as is"), coordinator.log());

        ScriptOutput.Block seg0 = parsed.block(0).orElseThrow();
        assertTrue(seg0.has("missing"));
        assertEquals("", seg0.controlData());
        assertEquals(List.of(), seg0.log());
    }

    @Test
    void anInstanceWithoutABlockHasNone() {
        ScriptOutput parsed = ScriptOutput.parse("@@whpg begin -1\n@@whpg end -1\n");
        assertTrue(parsed.block(-1).isPresent());
        assertEquals(Optional.empty(), parsed.block(0));
        assertEquals(Optional.empty(), ScriptOutput.parse("").block(-1));
    }

    @Test
    void looseTagsOutsideBlocksAreJoinedWhenRepeated() {
        ScriptOutput parsed = ScriptOutput.parse("""
                @@whpg prepared 0
                @@whpg prepared 1
                @@whpg refused 2 standby.signal is missing
                @@whpg launched 0 0
                """);
        assertEquals(Optional.of("0\n1"), parsed.loose("prepared"));
        assertEquals(Optional.of("2 standby.signal is missing"), parsed.loose("refused"));
        assertEquals(Optional.of("0 0"), parsed.loose("launched"));
        assertEquals(Optional.empty(), parsed.loose("stopped"));
    }

    @Test
    void tagsInsideABlockAreNotLoose() {
        ScriptOutput parsed = ScriptOutput.parse("@@whpg begin 3\n@@whpg running 77\n@@whpg end 3\n@@whpg stopped 3 0\n");
        assertEquals(Optional.empty(), parsed.loose("running"));
        assertEquals(Optional.of("3 0"), parsed.loose("stopped"));
        assertFalse(parsed.block(3).orElseThrow().has("stopped"));
    }

    @Test
    void untaggedNoiseAndTaggedLinesOutsideBlocksAreIgnored() {
        ScriptOutput parsed = ScriptOutput.parse("""
                sh: 1: cannot create /x: Permission denied
                @@cd Database cluster state:               in production
                @@log FATAL:  not mine
                @@hist 00000009.history
                @@whpg begin 1
                garbage from a tool
                @@cd Database cluster state:               shut down in recovery
                @@whpg end 1
                @@cd Database cluster state:               in production
                """);
        ScriptOutput.Block b = parsed.block(1).orElseThrow();
        assertEquals("Database cluster state:               shut down in recovery\n", b.controlData());
        assertEquals(List.of(), b.log());
        assertEquals(List.of(), b.historyFiles());
    }

    @Test
    void aTruncatedBlockKeepsWhatArrivedAndTheNextBeginStartsAFreshOne() {
        ScriptOutput parsed = ScriptOutput.parse("@@whpg begin 0\n@@whpg standby_signal\n@@whpg begin 1\n@@whpg recovery_signal\n");
        assertTrue(parsed.block(0).orElseThrow().has("standby_signal"));
        assertFalse(parsed.block(0).orElseThrow().has("recovery_signal"));
        assertTrue(parsed.block(1).orElseThrow().has("recovery_signal"));
        assertFalse(parsed.block(1).orElseThrow().has("standby_signal"));
    }
}
