package io.whpg.drsync.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RestorePointNameTest {

    @Test
    void namesEmbedTheUtcTimeAfterThePrefix() {
        assertEquals("sync_point_20260201_181406",
                RestorePointName.forInstant("sync_point_", Instant.parse("2026-02-01T18:14:06.999Z")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "sync_point_20260201_181406", "A.b-c_9", "a..b"})
    void safeNamesPass(String name) {
        assertEquals(name, RestorePointName.validate("restore point", name));
    }

    @Test
    void sixtyThreeCharactersLikePostgresButNotSixtyFour() {
        assertEquals("r".repeat(63), RestorePointName.validate("restore point", "r".repeat(63)));
        assertThrows(IllegalArgumentException.class, () -> RestorePointName.validate("restore point", "r".repeat(64)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "..", "a/b", "a b", "a'b", "a;b", "a$b", "a`b`", "ä"})
    void unsafeNamesAreRefusedNamingTheFieldAndTheValue(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RestorePointName.validate("target_restore_point", name));
        assertEquals("target_restore_point: invalid restore point name \"" + name + "\": expected 1-63 characters of "
                + "[A-Za-z0-9_.-], not starting with '.'", e.getMessage());
    }

    @Test
    void theValueIsQuotedSoTheMessageStaysOneLine() {
        assertEquals("state: invalid restore point name \"rp\\nrecovery_target_name = \\\"x\\\"\": expected 1-63 characters "
                + "of [A-Za-z0-9_.-], not starting with '.'", assertThrows(IllegalArgumentException.class,
                () -> RestorePointName.validate("state", "rp\nrecovery_target_name = \"x\"")).getMessage());
        assertEquals("state: invalid restore point name \"a\\tb\\u0000\": expected 1-63 characters of [A-Za-z0-9_.-], "
                + "not starting with '.'", assertThrows(IllegalArgumentException.class,
                () -> RestorePointName.validate("state", "a\tb\u0000")).getMessage());
    }

    @Test
    void nullIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RestorePointName.validate("restore point", null));
    }

    @Test
    void aPrefixThatMakesAnUnsafeNameIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RestorePointName.forInstant("sync point ", Instant.EPOCH));
        assertEquals("behavior.restore_point_prefix: invalid restore point name \"sync point 19700101_000000\": expected "
                + "1-63 characters of [A-Za-z0-9_.-], not starting with '.'", e.getMessage());
    }
}
