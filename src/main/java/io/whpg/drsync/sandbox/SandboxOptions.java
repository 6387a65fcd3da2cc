package io.whpg.drsync.sandbox;

import java.util.Objects;

/**
 * What {@link Sandbox#up} builds: how many segments, the WAL segment size, which variant of the
 * Greenplum SQL interface the coordinator emulates, and behind how many SSH hosts the DR copies sit.
 *
 * @param segments     segment instances besides the coordinator (content 0..segments-1)
 * @param walSegmentMb {@code initdb --wal-segsize}: 16 like plain PostgreSQL, 64 like WHPG
 * @param gpForm       declaration of {@code gp_create_restore_point(text)}
 * @param gpSwitchWal  whether {@code gp_switch_wal()} exists (some GP7 builds lack it)
 * @param sshHosts     0: every DR copy is local to the tool; H: the DR copies are spread round-robin over H
 *                     private OpenSSH servers on 127.0.0.2 .. 127.0.0.(H+1), coordinator on the first
 */
public record SandboxOptions(int segments, int walSegmentMb, GpForm gpForm, boolean gpSwitchWal, int sshHosts) {
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
        if (sshHosts < 0 || sshHosts > segments + 1) {
            throw new IllegalArgumentException("hosts: must be between 0 and the number of DR instances ("
                    + (segments + 1) + " with " + segments + " segments), got " + sshHosts);
        }
    }

    /** Two segments, 16 MB WAL segments, OUT-parameter form, with gp_switch_wal(), every DR copy local. */
    public static SandboxOptions defaults() {
        return new SandboxOptions(2, 16, GpForm.OUT_PARAMS, true, 0);
    }

    public SandboxOptions withSegments(int n) {
        return new SandboxOptions(n, walSegmentMb, gpForm, gpSwitchWal, sshHosts);
    }

    public SandboxOptions withWalSegmentMb(int mb) {
        return new SandboxOptions(segments, mb, gpForm, gpSwitchWal, sshHosts);
    }

    public SandboxOptions withGpForm(GpForm form) {
        return new SandboxOptions(segments, walSegmentMb, form, gpSwitchWal, sshHosts);
    }

    public SandboxOptions withGpSwitchWal(boolean present) {
        return new SandboxOptions(segments, walSegmentMb, gpForm, present, sshHosts);
    }

    public SandboxOptions withSshHosts(int hosts) {
        return new SandboxOptions(segments, walSegmentMb, gpForm, gpSwitchWal, hosts);
    }

    /** The loopback address of SSH host {@code index} (0-based): 127.0.0.2, 127.0.0.3, ... */
    public static String sshHostAddress(int index) {
        return "127.0.0." + (index + 2);
    }

    /**
     * Which SSH host (0-based) the DR copy at {@code position} in coordinator-first order sits behind:
     * round-robin, so the coordinator is on the first host.
     */
    public int sshHostOf(int position) {
        if (sshHosts == 0) {
            throw new IllegalStateException("this sandbox has no SSH hosts: every DR copy is local");
        }
        return position % sshHosts;
    }
}
