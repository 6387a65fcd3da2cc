package io.whpg.drsync.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.dr.DrHost;
import io.whpg.drsync.exec.HostShell;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hawtio and JMX name each step by its node id: in the two cycle routes every node carries one chosen by us,
 * none of Camel's generated {@code processN}, {@code toN}, {@code choiceN}, ...
 */
class RouteNodeIdsTest {

    @Test
    void everyStepOfBothCycleRoutesHasAReadableId(@TempDir Path dir) throws Exception {
        DrSyncConfig cfg = ConfigLoader.parse(RuntimeJmxTest.configWithMissingDataDir(dir), "test config");
        Function<DrHost, HostShell> noShells = host -> {
            throw new IllegalStateException("not opened in this test");
        };
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new ConsumeRoute(new ConsumeSteps(cfg, noShells, null, Clock.systemUTC()), 1000, Optional.empty()));
            context.addRoutes(new PublishRoute(new PublishSteps(cfg, null, Clock.systemUTC()), 1000, false));
            ModelCamelContext model = (ModelCamelContext) context;
            List<String> generated = new ArrayList<>();
            for (String routeId : List.of(ConsumeRoute.CYCLE_ROUTE_ID, PublishRoute.CYCLE_ROUTE_ID, PublishRoute.POINT_ROUTE_ID)) {
                collectGenerated(routeId, model.getRouteDefinition(routeId).getOutputs(), generated);
            }
            assertEquals(List.of(), generated, "nodes without an id of ours");
        }
    }

    private static void collectGenerated(String routeId, List<ProcessorDefinition<?>> nodes, List<String> generated) {
        for (ProcessorDefinition<?> node : nodes) {
            if (!node.hasCustomIdAssigned()) {
                generated.add(routeId + " " + node.getShortName() + ": " + node.getLabel());
            }
            collectGenerated(routeId, node.getOutputs(), generated);
        }
    }
}
