package io.whpg.drsync.route;

import org.apache.camel.builder.RouteBuilder;

/**
 * The primary side. {@code direct:primary-publish} is one cycle: name the point, CHECKPOINT every
 * instance, create the restore point, read each instance's WAL file, switch WAL, publish NOT READY,
 * wait for the archive, publish READY. SQL goes through camel-jdbc: {@code jdbc:primary} for the
 * coordinator, {@code jdbc:gpseg<N>} (utility mode) for each instance.
 */
public final class PublishRoute extends RouteBuilder {
    public static final String CYCLE_ROUTE_ID = "primary-publish";
    public static final String CYCLE_URI = "direct:primary-publish";
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
                .doTry()
                .process(steps::begin).id("name-restore-point")
                .setBody(constant("SELECT content, hostname, port FROM gp_segment_configuration"
                        + " WHERE role = 'p' ORDER BY content"))
                .to("jdbc:primary").id("read-segment-configuration")
                .process(steps::readSegmentConfiguration).id("register-instances")
                // A restartpoint on the DR needs a checkpoint record to replay (FACTS)
                .process(steps::perInstance)
                .split(body()).parallelProcessing().executorService(INSTANCE_POOL).stopOnException()
                    .process(BodyHeaders::apply)
                    .setBody(constant("CHECKPOINT"))
                    .toD(ON_INSTANCE).id("checkpoint-instance")
                .end()
                // The ::text form works whether the build declares OUT parameters or bare SETOF record (FACTS)
                .setBody(constant("SELECT (gp_create_restore_point(:?WhpgRestorePoint))::text AS point"))
                .to("jdbc:primary?useHeadersAsParameters=true").id("create-restore-point")
                .process(steps::readRestorePoint).id("read-restore-lsns")
                .process(steps::perInstance)
                .split(body()).parallelProcessing().executorService(INSTANCE_POOL).stopOnException()
                    .process(BodyHeaders::apply)
                    .setBody(constant("SELECT pg_walfile_name(CAST(:?WhpgLsn AS pg_lsn)) AS wal_file,"
                            + " (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,"
                            + " (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size') AS wal_segment_size"))
                    .toD(ON_INSTANCE).id("read-instance-wal-file")
                    .process(steps::readFacts)
                .end()
                .choice().id("switch-wal?")
                    .when(header(NO_SWITCH_WAL).isEqualTo(true))
                        .log("WAL switch skipped (--no-switch-wal): READY waits for the files to be archived on their own")
                    .otherwise()
                        .setBody(constant("SELECT count(*) AS n FROM pg_proc WHERE proname = 'gp_switch_wal'"))
                        .to("jdbc:primary").id("find-gp-switch-wal")
                        .choice()
                            .when(method(steps, "hasGpSwitchWal"))
                                .setBody(constant("SELECT gp_segment_id, (pg_switch_wal)::text AS lsn FROM gp_switch_wal()"))
                                .to("jdbc:primary").id("gp-switch-wal")
                                .process(steps::readGpSwitchWal)
                            .otherwise()
                                // Builds without gp_switch_wal(): switch on every instance in utility mode
                                .process(steps::perInstance)
                                .split(body()).parallelProcessing().executorService(INSTANCE_POOL).stopOnException()
                                    .process(BodyHeaders::apply)
                                    .setBody(constant("SELECT pg_switch_wal()::text AS lsn"))
                                    .toD(ON_INSTANCE).id("switch-wal-on-instance")
                                    .process(steps::readInstanceSwitch)
                                .end()
                        .end()
                .end()
                .process(steps::publishNotReady).id("publish-not-ready")
                .loopDoWhile(method(steps, "awaitingArchive")).id("await-archive")
                    .process(steps::pollPause)
                    .process(steps::perInstance)
                    .split(body()).parallelProcessing().executorService(INSTANCE_POOL).stopOnException()
                        .process(BodyHeaders::apply)
                        .setBody(constant("SELECT last_archived_wal, last_archived_time::text AS last_archived_time,"
                                + " last_failed_wal FROM pg_stat_archiver"))
                        .toD(ON_INSTANCE).id("read-archiver")
                        .process(steps::readArchiver).id("list-archive")
                    .end()
                .end()
                .process(steps::finish).id("publish-ready")
                .endDoTry()
                .doCatch(Exception.class)
                    .process(steps::failed).id("record-failure")
                .end()
                .process(new CycleStats()).id("cycle-stats");
    }
}
