package io.whpg.drsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.sandbox.GpForm;
import io.whpg.drsync.sandbox.SandboxFixture;
import io.whpg.drsync.sandbox.SandboxOptions;
import io.whpg.drsync.state.Json;
import io.whpg.drsync.state.Manifest;
import io.whpg.drsync.state.ManifestStore;
import io.whpg.drsync.state.StateStore;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The publisher on the other shape of GP7 build (gp_create_restore_point declared as bare SETOF record,
 * no gp_switch_wal(), 64 MB WAL segments like WHPG), and a manifest left NOT READY when its WAL is not
 * archived in time, which the consumer must never use.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PublishVariantsIT {
    @RegisterExtension
    static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults().withSegments(1)
            .withGpForm(GpForm.SETOF_RECORD).withGpSwitchWal(false).withWalSegmentMb(64));

    @Test
    @Order(1)
    void setofRecordBuildWithoutGpSwitchWalPublishesReadyAndTheDrParksThere() throws Exception {
        Path config = SANDBOX.sandbox().configFile();
        DrSyncConfig cfg = ConfigLoader.load(config);
        ItSupport.Run published = ItSupport.publish(config);
        assertEquals(0, published.exitCode(), published.output());
        JsonNode latest = Json.MAPPER.readTree(cfg.storage().latestPath().toFile());
        Manifest m = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath())
                .read(latest.path("restore_point").asText());
        assertTrue(m.ready());
        assertEquals(64L << 20, m.walSegmentSize());
        assertEquals("pg_switch_wal() per instance", m.evidence().path("switch_wal").asText());

        ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(0, dr.exitCode(), dr.output());
        assertEquals(m.restorePoint(), new StateStore(cfg.dr().stateDir()).current().orElseThrow());
    }

    @Test
    @Order(2)
    void walNotArchivedInTimeLeavesTheManifestNotReadyAndTheConsumerIgnoresIt() throws Exception {
        Path config = ItSupport.withBehavior(SANDBOX.sandbox().configFile(), "publisher_wait_archive_secs", 2);
        DrSyncConfig cfg = ConfigLoader.load(config);
        String before = new StateStore(cfg.dr().stateDir()).current().orElseThrow();

        ItSupport.Run published = ItSupport.publishWith(config, "--no-switch-wal");
        assertEquals(1, published.exitCode(), published.output());
        assertTrue(published.output().contains("NOT READY"), published.output());
        JsonNode latest = Json.MAPPER.readTree(cfg.storage().latestPath().toFile());
        assertFalse(latest.path("ready").asBoolean());
        Manifest m = new ManifestStore(cfg.storage().manifestDir(), cfg.storage().latestPath())
                .read(latest.path("restore_point").asText());
        assertFalse(m.ready());
        assertTrue(m.evidence().path("not_yet_archived").size() > 0, m.evidence().toString());

        ItSupport.Run dr = ItSupport.cli("dr", "run", "--once", "--config", config.toString());
        assertEquals(0, dr.exitCode(), dr.output());
        assertTrue(dr.output().contains("nothing to do"), dr.output());
        assertEquals(before, new StateStore(cfg.dr().stateDir()).current().orElseThrow());

        ItSupport.Run forced = ItSupport.cli("dr", "run", "--once", "--target", m.restorePoint(), "--config", config.toString());
        assertEquals(1, forced.exitCode(), forced.output());
        assertTrue(forced.output().contains("target_not_ready"), forced.output());
        assertEquals(before, new StateStore(cfg.dr().stateDir()).current().orElseThrow());
    }
}
