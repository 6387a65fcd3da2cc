package io.whpg.drsync.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.whpg.drsync.dr.CycleFailure;
import io.whpg.drsync.pg.Lsn;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestCodec;
import io.whpg.drsync.state.SegmentPoint;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PublishCycleTest {
    private static final long SEG = 16L << 20;
    private static final String SYSID = "7712620026465536620";
    private static final List<PrimaryInstance> TWO = List.of(new PrimaryInstance(-1, "cdw", "cdw-if", 5432),
            new PrimaryInstance(0, "sdw1", "sdw1-if", 6000));

    private static PublishCycle cycle(String... rows) {
        PublishCycle c = new PublishCycle("sync_point_20260201_181406", Instant.parse("2026-02-01T18:14:06Z"));
        c.setInstances(TWO);
        c.setRestorePointRows(List.of(rows));
        return c;
    }

    private static CycleFailure failure(Runnable r) {
        CycleFailure f = assertThrows(CycleFailure.class, r::run);
        assertEquals(PublishCycle.PRIMARY_ERROR, f.status());
        return f;
    }

    @Test
    void restorePointRowsAsText() {
        PublishCycle c = cycle("(-1,0/49FD4F8)", " (0,1/A0000C8) ");
        assertEquals(Map.of(-1, Lsn.parse("0/49FD4F8"), 0, Lsn.parse("1/A0000C8")), c.restoreLsns());
    }

    @ParameterizedTest
    @ValueSource(strings = {"(-1;0/49FD4F8)", "(x,0/49FD4F8)", "(-1,0/49FD4FG)", "(-1,)", "(,0/1)", "-1,0/49FD4F8",
            "(-1,0/49FD4F8,extra)", "(99999999999,0/1)", "", "(-1, 0/49FD4F8)"})
    void anUnexpectedRowIsAOneLinePrimaryError(String row) {
        PublishCycle c = new PublishCycle("rp", Instant.EPOCH);
        c.setInstances(TWO);
        CycleFailure f = failure(() -> c.setRestorePointRows(List.of("(0,0/5000060)", row)));
        assertEquals("gp_create_restore_point returned an unexpected row \"" + row + "\": expected (gp_segment_id,restore_lsn)",
                f.getMessage());
    }

    @Test
    void aSegmentReturnedTwiceIsRefused() {
        assertEquals("gp_create_restore_point returned segment 0 twice",
                failure(() -> cycle("(-1,0/49FD4F8)", "(0,0/5000060)", "(0,0/5000060)")).getMessage());
    }

    @Test
    void rowsMustCoverExactlyTheActingPrimaries() {
        assertEquals("gp_create_restore_point returned segments [-1] but gp_segment_configuration has acting "
                + "primaries [-1, 0]", failure(() -> cycle("(-1,0/49FD4F8)")).getMessage());
        assertEquals("gp_create_restore_point returned segments [-1, 0, 1] but gp_segment_configuration has acting "
                        + "primaries [-1, 0]",
                failure(() -> cycle("(-1,0/49FD4F8)", "(0,0/5000060)", "(1,0/5000060)")).getMessage());
    }

    @Test
    void noActingCoordinatorIsAnError() {
        PublishCycle c = new PublishCycle("rp", Instant.EPOCH);
        assertEquals("gp_segment_configuration lists no acting coordinator (content -1, role 'p')",
                failure(() -> c.setInstances(List.of(new PrimaryInstance(0, "sdw1", "sdw1-if", 6000)))).getMessage());
        failure(() -> c.setInstances(List.of()));
    }

    @Test
    void pgWalfileNameIsCrossCheckedWithTheWalMath() {
        PublishCycle c = cycle("(-1,0/49FD4F8)", "(0,0/5000000)");
        c.addFacts(new InstanceFacts(-1, "000000010000000000000004", SYSID, SEG));
        // a restore point ending on a boundary is in the earlier file, as pg_walfile_name says
        c.addFacts(new InstanceFacts(0, "000000030000000000000004", SYSID, SEG));
        assertEquals(SEG, c.walSegmentSize());

        PublishCycle wrong = cycle("(-1,0/49FD4F8)", "(0,0/5000000)");
        assertEquals("instance 0: pg_walfile_name(0/5000000) = 000000010000000000000005 but the WAL math gives "
                        + "000000010000000000000004",
                failure(() -> wrong.addFacts(new InstanceFacts(0, "000000010000000000000005", SYSID, SEG))).getMessage());
        // the same LSN with 64 MB segments is in file 1
        assertEquals("instance -1: pg_walfile_name(0/49FD4F8) = 000000010000000000000004 but the WAL math gives "
                        + "000000010000000000000001",
                failure(() -> wrong.addFacts(new InstanceFacts(-1, "000000010000000000000004", SYSID, 64L << 20))).getMessage());
        assertEquals("instance 0: pg_walfile_name(0/5000000): malformed WAL file name \"0000000100000000000005\": "
                        + "expected 24 upper-case hex digits (timeline, log, segment)",
                failure(() -> wrong.addFacts(new InstanceFacts(0, "0000000100000000000005", SYSID, SEG))).getMessage());
        assertEquals("instance 7: no restore LSN was returned for it",
                failure(() -> wrong.addFacts(new InstanceFacts(7, "000000010000000000000004", SYSID, SEG))).getMessage());
    }

    @Test
    void instancesMustAgreeOnTheSegmentSize() {
        PublishCycle c = cycle("(-1,0/49FD4F8)", "(0,0/49FD4F8)");
        c.addFacts(new InstanceFacts(-1, "000000010000000000000004", SYSID, SEG));
        c.addFacts(new InstanceFacts(0, "000000010000000000000001", SYSID, 64L << 20));
        assertEquals("instances report different wal_segment_size values [16777216, 67108864]",
                failure(c::walSegmentSize).getMessage());
    }

    private static PublishCycle withFacts(String coordinatorLsn, String segmentLsn, int segmentTimeline) {
        PublishCycle c = cycle("(-1," + coordinatorLsn + ")", "(0," + segmentLsn + ")");
        c.addFacts(new InstanceFacts(-1, io.whpg.drsync.pg.WalFile.containing(Lsn.parse(coordinatorLsn), 1, SEG).name(),
                SYSID, SEG));
        c.addFacts(new InstanceFacts(0, io.whpg.drsync.pg.WalFile.containing(Lsn.parse(segmentLsn), segmentTimeline, SEG)
                .name(), SYSID, SEG));
        return c;
    }

    @Test
    void neededFilesWithoutASwitch() {
        PublishCycle c = withFacts("0/49FD4F8", "0/5000000", 2);
        assertEquals(List.of("000000010000000000000004"), c.neededFiles(-1));
        // on a boundary: the restore point's file and the next one, which holds the next record
        assertEquals(List.of("000000020000000000000004", "000000020000000000000005"), c.neededFiles(0));
    }

    @Test
    void neededFilesThroughTheSwitchedSegment() {
        PublishCycle c = withFacts("0/49FD4F8", "0/4FFFFF0", 1);
        // pg_switch_wal returns the end of its segment; the record after 0/4FFFFF0 may span into segment 5
        c.addSwitch(-1, Lsn.parse("0/5000000"), "gp_switch_wal");
        c.addSwitch(0, Lsn.parse("0/6000000"), "gp_switch_wal");
        assertEquals(List.of("000000010000000000000004"), c.neededFiles(-1));
        assertEquals(List.of("000000010000000000000004", "000000010000000000000005"), c.neededFiles(0));
    }

    @Test
    void aSwitchEndingBeforeTheRestorePointIsIgnored() {
        PublishCycle c = withFacts("0/49FD4F8", "0/5000000", 1);
        c.addSwitch(0, Lsn.parse("0/4000000"), "pg_switch_wal");
        assertEquals(List.of("000000010000000000000004", "000000010000000000000005"), c.neededFiles(0));
    }

    private static PublishCycle archived(String coordinatorLastArchived, Set<String> coordinatorListing) {
        PublishCycle c = withFacts("0/49FD4F8", "0/5000060", 1);
        c.addSwitch(-1, Lsn.parse("0/5000000"), "gp_switch_wal");
        c.addSwitch(0, Lsn.parse("0/6000000"), "gp_switch_wal");
        c.setArchiver(new ArchiverStatus(-1, coordinatorLastArchived, "2026-02-01 18:14:07+00", null));
        c.setArchiver(new ArchiverStatus(0, "000000010000000000000005", "2026-02-01 18:14:07+00", null));
        c.setArchiveListing(-1, coordinatorListing);
        c.setArchiveListing(0, Set.of("000000010000000000000005"));
        return c;
    }

    @Test
    void archivedWhenReportedByTheArchiverAndPresent() {
        assertEquals(List.of(), archived("000000010000000000000004", Set.of("000000010000000000000004")).notYetArchived());
        assertEquals(List.of(), archived("000000010000000000000009", Set.of("000000010000000000000004")).notYetArchived());
    }

    @Test
    void anArchiverBehindTheNeededFile() {
        assertEquals(List.of("content -1 (cdw-if:5432): 000000010000000000000004 not proven archived: not yet archived (the archiver has reached 000000010000000000000003)"),
                archived("000000010000000000000003", Set.of("000000010000000000000003")).notYetArchived());
    }

    @Test
    void aFilePresentButNotYetReportedMayStillBeBeingCopied() {
        assertEquals(List.of("content -1 (cdw-if:5432): 000000010000000000000004 not proven archived: in the archive but not yet reported done by the archiver (it has reached"
                        + " 000000010000000000000003)"),
                archived("000000010000000000000003", Set.of("000000010000000000000004")).notYetArchived());
    }

    @Test
    void anArchiveStatusMarkerProvesAFileOfTheCurrentTimelineBeforeTheStatisticsDo() {
        // PostgreSQL 12 statistics lag up to 0.5 s behind archive_command's success; pg_wal/archive_status does not
        PublishCycle c = archived("000000010000000000000003", Set.of("000000010000000000000004"));
        c.setArchiver(new ArchiverStatus(-1, "000000010000000000000003", "t", null,
                ArchiverStatus.doneFiles("000000010000000000000003,000000010000000000000004")));
        assertEquals(List.of(), c.notYetArchived());
        assertEquals("[\"000000010000000000000004\"]", c.manifest(true, Instant.EPOCH).evidence()
                .path("instances").path("-1").path("archive_status_done").toString());
        assertTrue(c.manifest(true, Instant.EPOCH).evidence().path("instances").path("0").path("archive_status_done")
                .isMissingNode(), "content 0 was proven by its statistics alone");
    }

    @Test
    void aMarkerNeverProvesAFileStillBeingCopiedOrOfAnOlderTimeline() {
        PublishCycle absent = archived("000000010000000000000003", Set.of());
        absent.setArchiver(new ArchiverStatus(-1, "000000010000000000000003", "t", null,
                Set.of("000000010000000000000004")));
        assertEquals(1, absent.notYetArchived().size(), "a marker without the file in the archive proves nothing");
        // content 0 is on timeline 2 now: a timeline-1 file marked done may have come from a walreceiver as a mirror
        PublishCycle c = withFacts("0/49FD4F8", "0/5000060", 2);
        c.addSwitch(-1, Lsn.parse("0/5000000"), "gp_switch_wal");
        c.setArchiver(new ArchiverStatus(-1, "000000010000000000000004", "t", null));
        c.setArchiveListing(-1, Set.of("000000010000000000000004"));
        c.setPrevious(new Manifest("sync_point_20260201_181000", Instant.parse("2026-02-01T18:10:00Z"), true, SEG, List.of(
                new SegmentPoint(-1, Lsn.parse("0/40000C8"), 1, "000000010000000000000004", SYSID, "cdw-if", 5432),
                new SegmentPoint(0, Lsn.parse("0/40000C8"), 1, "000000010000000000000004", SYSID, "sdw1-if", 6000)),
                io.whpg.drsync.state.Json.object()));
        c.setHistory(0, io.whpg.drsync.pg.TimelineHistory.parse(2, "1\t0/5000000\tno recovery target specified\n"));
        c.setArchiver(new ArchiverStatus(0, "000000010000000000000003", "t", null,
                Set.of("000000010000000000000004", "000000020000000000000005")));
        c.setArchiveListing(0, Set.of("000000010000000000000004", "000000020000000000000005", "00000002.history"));
        assertEquals(List.of("content 0 (sdw1-if:6000): 000000010000000000000004 not proven archived: in the archive but not"
                + " yet reported done by the archiver (it has reached 000000010000000000000003)"), c.notYetArchived());
        c.setArchiver(new ArchiverStatus(0, "000000010000000000000004", "t", null, Set.of("000000020000000000000005")));
        assertEquals(List.of(), c.notYetArchived(), "the current timeline's file by its marker, the older one by statistics");
    }

    @Test
    void stepTimesGoIntoTheEvidence() {
        PublishCycle c = archived("000000010000000000000004", Set.of("000000010000000000000004"));
        c.lap("checks", Instant.parse("2026-02-01T18:14:06.120Z"));
        c.lap("checkpoint", Instant.parse("2026-02-01T18:14:06.145Z"));
        assertEquals("{\"checks\":120,\"checkpoint\":25}", c.manifest(true, Instant.EPOCH).evidence().path("step_ms").toString());
    }

    @Test
    void reportedButAbsentFromTheArchive() {
        assertEquals(List.of("content -1 (cdw-if:5432): 000000010000000000000004 not proven archived: absent from the archive although the archiver has passed it (last archived"
                        + " 000000010000000000000004): never archived (archive_mode off when it was written?) or removed"),
                archived("000000010000000000000004", Set.of("000000010000000000000003")).notYetArchived());
    }

    @Test
    void timelinesAreComparedAsNumbersNeverAsNames() {
        // The archiver works in name order, so a segment of a later timeline comes after every earlier one's
        assertEquals(List.of(), archived("000000020000000000000003", Set.of("000000010000000000000004")).notYetArchived());
        // an earlier timeline's segment, however far, proves nothing about this one's
        PublishCycle c = withFacts("0/49FD4F8", "0/5000060", 2);
        c.setArchiver(new ArchiverStatus(-1, "000000010000000000000004", "t", null));
        c.setArchiveListing(-1, Set.of("000000010000000000000004"));
        c.setArchiver(new ArchiverStatus(0, "0000000100000000000000FF", "t", null));
        c.setArchiveListing(0, Set.of("000000020000000000000005"));
        assertEquals(List.of("content 0 (sdw1-if:6000): 000000020000000000000005 not proven archived: in the archive but"
                + " not yet reported done by the archiver (it has reached 0000000100000000000000FF)"), c.notYetArchived());
    }

    @Test
    void noArchiverReportAtAll() {
        PublishCycle c = withFacts("0/49FD4F8", "0/5000060", 1);
        c.setArchiveListing(-1, Set.of("000000010000000000000004"));
        assertEquals(List.of("content -1 (cdw-if:5432): 000000010000000000000004 not proven archived: in the archive but not yet reported done by the archiver (it has reached nothing)" ,
                "content 0 (sdw1-if:6000): 000000010000000000000005 not proven archived: not yet archived (the archiver"
                        + " has reached nothing)"), c.notYetArchived());
        c.setArchiver(new ArchiverStatus(-1, null, null, null));
        assertEquals("content -1 (cdw-if:5432): 000000010000000000000004 not proven archived: in the archive but not yet reported done by the archiver (it has reached nothing)",
                c.notYetArchived().get(0));
    }

    @Test
    void readyProvesEveryFileFromThePreviousReadyPointOfTheSameInstance() {
        PublishCycle c = archived("000000010000000000000004", Set.of("000000010000000000000004"));
        c.setPrevious(new Manifest("sync_point_20260201_181000", Instant.parse("2026-02-01T18:10:00Z"), true, SEG, List.of(
                new SegmentPoint(-1, Lsn.parse("0/20000C8"), 1, "000000010000000000000002", SYSID, "cdw-if", 5432),
                new SegmentPoint(0, Lsn.parse("0/30000C8"), 1, "000000010000000000000003", "another cluster", "sdw1-if", 6000)),
                io.whpg.drsync.state.Json.object()));
        assertEquals(List.of("content -1 (cdw-if:5432): 000000010000000000000002 not proven archived: absent from the archive"
                + " although the archiver has passed it (last archived 000000010000000000000004): never archived (archive_mode"
                + " off when it was written?) or removed; 1 more after it"), c.notYetArchived(),
                "a gap between the points; content 0's previous point is another cluster's: only its own files count");
        c.setArchiveListing(-1, Set.of("000000010000000000000002", "000000010000000000000003", "000000010000000000000004"));
        assertEquals(List.of(), c.notYetArchived());
        assertEquals("sync_point_20260201_181000 000000010000000000000002", c.manifest(true, Instant.EPOCH).evidence()
                .path("instances").path("-1").path("continuity_from").asText());
    }

    @Test
    void theManifestReadsBackThroughTheCodec() throws Exception {
        PublishCycle c = archived("000000010000000000000003", Set.of());
        Manifest notReady = c.manifest(false, Instant.parse("2026-02-01T18:14:08Z"));
        assertFalse(notReady.ready());
        assertEquals(new SegmentPoint(0, Lsn.parse("0/5000060"), 1, "000000010000000000000005", SYSID, "sdw1-if", 6000),
                notReady.segment(0).orElseThrow());
        assertEquals("[\"content -1 (cdw-if:5432): 000000010000000000000004 not proven archived: not yet archived (the archiver has reached 000000010000000000000003)\"]",
                notReady.evidence().path("not_yet_archived").toString());
        assertEquals("gp_switch_wal", notReady.evidence().path("switch_wal").asText());
        assertEquals("0/6000000", notReady.evidence().path("instances").path("0").path("switch_lsn").asText());
        assertEquals(notReady, ManifestCodec.read(ManifestCodec.write(notReady), "m"));

        Manifest ready = archived("000000010000000000000004", Set.of("000000010000000000000004"))
                .manifest(true, Instant.parse("2026-02-01T18:14:08Z"));
        assertTrue(ready.ready());
        assertTrue(ready.evidence().path("not_yet_archived").isMissingNode());
        assertEquals("[\"000000010000000000000004\"]",
                ready.evidence().path("instances").path("-1").path("wal_files_needed").toString());
    }
}
