package io.whpg.drsync.sandbox;

import java.util.Objects;

/**
 * What {@link Sandbox#up} builds: how many segments, the WAL segment size, and which variant of
 * the Greenplum SQL interface the coordinator emulates.
 *
 * @param segments     segment instances besides the coordinator (content 0..segments-1)
 * @param walSegmentMb {@code initdb --wal-segsize}: 16 like plain PostgreSQL, 64 like WHPG
 * @param gpForm       declaration of {@code gp_create_restore_point(text)}
 * @param gpSwitchWal  whether {@code gp_switch_wal()} exists (some GP7 builds lack it)
 */
public record SandboxOptions(int segments, int walSegmentMb, GpForm gpForm, boolean gpSwitchWal) {
    public static final int MAX_SEGMENTS = 32;

    public SandboxOptions {
        if (segments < 1 || segments > MAX_SEGMENTS) {
            throw new IllegalArgumentException(
                    "segments: must be between 1 and " + MAX_SEGMENTS + ", got " + segments);
        }
        if (walSegmentMb < 1 || walSegmentMb > 1024 || Integer.bitCount(walSegmentMb) != 1) {
            throw new IllegalArgumentException(
                    "wal_segment_mb: must be a power of 2 between 1 and 1024, got " + walSegmentMb);
        }
        Objects.requireNonNull(gpForm, "gpForm");
    }

    /** Two segments, 16 MB WAL segments, OUT-parameter form, with gp_switch_wal(). */
    public static SandboxOptions defaults() {
        return new SandboxOptions(2, 16, GpForm.OUT_PARAMS, true);
    }

    public SandboxOptions withSegments(int n) {
        return new SandboxOptions(n, walSegmentMb, gpForm, gpSwitchWal);
    }

    public SandboxOptions withWalSegmentMb(int mb) {
        return new SandboxOptions(segments, mb, gpForm, gpSwitchWal);
    }

    public SandboxOptions withGpForm(GpForm form) {
        return new SandboxOptions(segments, walSegmentMb, form, gpSwitchWal);
    }

    public SandboxOptions withGpSwitchWal(boolean present) {
        return new SandboxOptions(segments, walSegmentMb, gpForm, present);
    }
}
