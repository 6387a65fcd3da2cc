package io.whpg.drsync.route;

import io.whpg.drsync.primary.ArchiverStatus;
import io.whpg.drsync.primary.IdleRule;
import io.whpg.drsync.primary.InstanceCheck;
import io.whpg.drsync.primary.PrimaryInstance;
import org.apache.camel.builder.RouteBuilder;

/**
 * The primary side. {@code direct:primary-publish} is one cycle: name the point, check every instance (segment
 * size, archiving; a failure here leaves no point behind) and read where its WAL is; when nothing changed since
 * the previous READY point ({@link IdleRule}) write a heartbeat and stop; otherwise ({@code direct:primary-publish-point})
 * CHECKPOINT every instance, create the restore point, read each instance's WAL file, switch WAL, publish NOT READY,
 * wait for the archive, publish READY. SQL goes through camel-jdbc: {@code jdbc:primary} for the
 * coordinator, {@code jdbc:gpseg<N>} (utility mode) for each instance.
 */
public final class PublishRoute extends RouteBuilder {
    public static final String CYCLE_ROUTE_ID = "primary-publish";
    public static final String CYCLE_URI = "direct:primary-publish";
    public static final String POINT_ROUTE_ID = "primary-publish-point";
    public static final String POINT_URI = "direct:primary-publish-point";
    public static final String NO_SWITCH_WAL = "WhpgNoSwitchWal";
    public static final String INSTANCE_POOL = "primaryInstancePool";
    private static final String ON_INSTANCE = "jdbc:${header.WhpgDataSource}?useHeadersAsParameters=true";

    private final PublishSteps steps;
    private final long periodMillis;
    private final boolean timerStarts;

    public PublishRoute(PublishSteps steps, long periodMillis, boolean timerStarts) {
        this.steps = steps;
        this.periodMillis = periodMillis;
        this.timerStarts = timerStarts;
    }

    @Override
    public void configure() {
        // synchronous: the next tick waits for the cycle (and its archive wait) to end, so cycles never overlap
        from("timer:primary-publish?delay=0&synchronous=true&period=" + periodMillis).routeId("primary-publish-timer")
                .autoStartup(timerStarts)
                .to(CYCLE_URI).id("run-publish-cycle");

        from(CYCLE_URI).routeId(CYCLE_ROUTE_ID)
                .doTry().id("publish-cycle")
                .process(steps::begin).id("name-restore-point")
                .setBody(constant(PrimaryInstance.ACTING_PRIMARIES_SQL)).id("segment-configuration-sql")
                .to("jdbc:primary").id("read-segment-configuration")
                .process(steps::readSegmentConfiguration).id("register-instances")
                .process(steps::readPreviousReady).id("read-previous-ready")
                // Every check that can fail runs before the restore point: a failure leaves no point behind.
                // Where each instance's WAL is now is read before the tool itself writes any (its CHECKPOINT).
                .process(steps::perInstance).id("instances-for-check")
                .split(body()).parallelProcessing().executorService(INSTANCE_POOL).stopOnException().id("each-instance-check")
                    .process(BodyHeaders::apply).id("check-headers")
                    .setBody(constant(InstanceCheck.SQL)).id("instance-check-sql")
                    .toD(ON_INSTANCE).id("read-instance-check")
                    .process(steps::checkInstance).id("check-instance")
                    .setBody(constant(IdleRule.SQL)).id("wal-position-sql")
                    .toD(ON_INSTANCE).id("read-wal-position")
                    .process(steps::readProbe).id("record-wal-position")
                .end()
                .choice().id("unchanged?")
                    .when(method(steps, "unchanged"))
                        .process(steps::heartbeat).id("publish-heartbeat")
                    .otherwise()
                        .to(POINT_URI).id("publish-new-point")
                .end()
                .endDoTry()
                .doCatch(Exception.class).id("on-publish-failure")
                    .process(steps::failed).id("record-failure")
                .end()
                .process(new CycleStats()).id("cycle-stats");

        // A new point; its failures reach the cycle's doCatch above (no error handler of its own: no stack trace)
        from(POINT_URI).routeId(POINT_ROUTE_ID).errorHandler(noErrorHandler())
                // A restartpoint on the DR needs a checkpoint record to replay (FACTS)
                .process(steps::perInstance).id("instances-for-checkpoint")
                .split(body()).parallelProcessing().executorService(INSTANCE_POOL).stopOnException().id("each-instance-checkpoint")
                    .process(BodyHeaders::apply).id("checkpoint-headers")
                    .setBody(constant("CHECKPOINT")).id("checkpoint-sql")
                    .toD(ON_INSTANCE).id("checkpoint-instance")
                .end()
                // The ::text form works whether the build declares OUT parameters or bare SETOF record (FACTS)
                .process(steps::pointRequested).id("mark-point-requested")
                .setBody(constant("SELECT (gp_create_restore_point(:?WhpgRestorePoint))::text AS point")).id("restore-point-sql")
                .to("jdbc:primary?useHeadersAsParameters=true").id("create-restore-point")
                .process(steps::readRestorePoint).id("read-restore-lsns")
                .process(steps::perInstance).id("instances-for-wal-file")
                .split(body()).parallelProcessing().executorService(INSTANCE_POOL).stopOnException().id("each-instance-wal-file")
                    .process(BodyHeaders::apply).id("wal-file-headers")
                    .setBody(constant("SELECT pg_walfile_name(CAST(:?WhpgLsn AS pg_lsn)) AS wal_file,"
                            + " (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,"
                            + " (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size') AS wal_segment_size"))
                        .id("wal-file-sql")
                    .toD(ON_INSTANCE).id("read-instance-wal-file")
                    .process(steps::readFacts).id("record-instance-facts")
                .end()
                .choice().id("switch-wal?")
                    .when(header(NO_SWITCH_WAL).isEqualTo(true))
                        .log("WAL switch skipped (--no-switch-wal): READY waits for the files to be archived on their own")
                            .id("wal-switch-skipped")
                    .otherwise()
                        .setBody(constant("SELECT count(*) AS n FROM pg_proc WHERE proname = 'gp_switch_wal'")).id("find-gp-switch-wal-sql")
                        .to("jdbc:primary").id("find-gp-switch-wal")
                        .choice().id("gp-switch-wal?")
                            .when(method(steps, "hasGpSwitchWal"))
                                .setBody(constant("SELECT gp_segment_id, (pg_switch_wal)::text AS lsn FROM gp_switch_wal()"))
                                    .id("gp-switch-wal-sql")
                                .to("jdbc:primary").id("gp-switch-wal")
                                .process(steps::readGpSwitchWal).id("record-switch-lsns")
                            .otherwise()
                                // Builds without gp_switch_wal(): switch on every instance in utility mode
                                .process(steps::perInstance).id("instances-for-switch-wal")
                                .split(body()).parallelProcessing().executorService(INSTANCE_POOL).stopOnException()
                                        .id("each-instance-switch-wal")
                                    .process(BodyHeaders::apply).id("switch-wal-headers")
                                    .setBody(constant("SELECT pg_switch_wal()::text AS lsn")).id("switch-wal-sql")
                                    .toD(ON_INSTANCE).id("switch-wal-on-instance")
                                    .process(steps::readInstanceSwitch).id("record-instance-switch-lsn")
                                .end()
                        .end()
                .end()
                .process(steps::publishNotReady).id("publish-not-ready")
                .loopDoWhile(method(steps, "awaitingArchive")).id("await-archive")
                    .process(steps::pollPause).id("archive-poll-pause")
                    .process(steps::perInstance).id("instances-for-archiver")
                    .split(body()).parallelProcessing().executorService(INSTANCE_POOL).stopOnException().id("each-instance-archiver")
                        .process(BodyHeaders::apply).id("archiver-headers")
                        .setBody(constant(ArchiverStatus.SQL)).id("archiver-sql")
                        .toD(ON_INSTANCE).id("read-archiver")
                        .process(steps::readArchiver).id("list-archive")
                    .end()
                .end()
                .process(steps::finish).id("publish-ready");
    }
}
