package io.whpg.drsync.route;

import java.util.Optional;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.model.RouteDefinition;

/**
 * The DR side. {@code direct:dr-cycle} is one cycle, each step a named node for JMX/hawtio. Only the holder
 * of the consumer lock runs cycles: the daemon's timer route (every {@code behavior.consumer_sleep_secs})
 * runs only while this process leads ({@link ConsumerLock#leaderOnly}); {@code --once} sends one cycle after taking
 * the same lock through {@link OnceLeadership}.
 */
public final class ConsumeRoute extends RouteBuilder {
    public static final String CYCLE_ROUTE_ID = "dr-consume";
    public static final String CYCLE_URI = "direct:dr-cycle";
    private static final String SQL_FLOORS_URI = "direct:dr-sql-floors";
    private final ConsumeSteps steps;
    private final long periodMillis;
    private final Optional<CamelClusterService> election;

    /** With {@code election} (the daemon) the timer runs while this process leads; without (--once) it never starts. */
    public ConsumeRoute(ConsumeSteps steps, long periodMillis, Optional<CamelClusterService> election) {
        this.steps = steps;
        this.periodMillis = periodMillis;
        this.election = election;
    }

    @Override
    public void configure() throws Exception {
        // synchronous: the next tick waits for the cycle to end (the host fan-out would otherwise let cycles overlap)
        RouteDefinition timer = from("timer:dr-consume?delay=0&synchronous=true&period=" + periodMillis).routeId("dr-consume-timer");
        if (election.isPresent()) {
            timer.routePolicy(ConsumerLock.leaderOnly(getContext(), election.get()));
        } else {
            timer.autoStartup(false);
        }
        timer.to(CYCLE_URI).id("run-consume-cycle");

        // A server found running is refused; SQL says how far it replayed and whether it is still in recovery.
        from(SQL_FLOORS_URI).routeId("dr-sql-floors")
                .split(method(steps, "sqlFloorQueries"))
                    .process(BodyHeaders::apply)
                    .doTry()
                        .setBody(constant(ConsumeSteps.SQL_FLOOR))
                        .toD("jdbc:${header.WhpgDataSource}").id("sql-floor")
                        .process(steps::recordSqlFloor).id("record-sql-floor")
                    .endDoTry()
                    .doCatch(Exception.class)
                        .process(steps::sqlFloorUnavailable).id("sql-floor-unavailable")
                    .end()
                .end();

        from(CYCLE_URI).routeId(CYCLE_ROUTE_ID)
                .doTry().id("consume-cycle")
                .process(steps::begin).id("read-state")
                .process(steps::probeCalls).id("probe-scripts")
                .to(HostFanOut.URI).id("probe-instances")
                .process(steps::readProbes).id("compute-floors")
                .choice().id("left-running-by-an-earlier-run?")
                    .when(method(steps, "mustSettle"))
                        .process(steps::settleCalls).id("settle-scripts")
                        .to(HostFanOut.URI).id("settle-instances")
                        .process(steps::checkSettled).id("check-settled")
                        .process(steps::probeCalls).id("probe-again-scripts")
                        .to(HostFanOut.URI).id("probe-instances-again")
                        .process(steps::readProbes).id("compute-floors-again")
                .end()
                .to(SQL_FLOORS_URI).id("sql-floors")
                .process(steps::refuseUnparked).id("refuse-unparked")
                .process(steps::select).id("select-target")
                .choice().id("target-chosen")
                    .when(method(steps, "hasWork"))
                        .process(steps::preflight).id("wal-preflight")
                        .process(steps::stageCalls).id("stage-wal-scripts")
                        .to(HostFanOut.URI).id("stage-wal")
                        .process(steps::checkStaged).id("check-staged-wal")
                        .process(steps::prepareCalls).id("recovery-target-scripts")
                        .to(HostFanOut.URI).id("write-recovery-targets")
                        .process(steps::checkPrepared).id("check-recovery-targets")
                        .process(steps::startCalls).id("start-scripts")
                        .to(HostFanOut.URI).id("start-instances")
                        .process(steps::checkStarted).id("check-starts")
                        .process(steps::awaitCalls).id("await-scripts")
                        .to(HostFanOut.URI).id("await-instances")
                        .process(steps::verify).id("verify-parked")
                        .process(steps::unstageCalls).id("unstage-wal-scripts")
                        .to(HostFanOut.URI).id("remove-staged-wal")
                        .process(steps::checkUnstaged).id("check-unstaged-wal")
                        .process(steps::commit).id("commit-state")
                    .otherwise()
                        .process(steps::nothingNew).id("nothing-new")
                .end()
                .endDoTry()
                .doCatch(Exception.class).id("on-cycle-failure")
                    .process(steps::failed).id("record-failure")
                .end()
                .process(new CycleStats()).id("cycle-stats");
    }
}
