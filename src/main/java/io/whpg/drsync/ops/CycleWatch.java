package io.whpg.drsync.ops;

import io.whpg.drsync.route.CycleOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Watches one cycle route (dr-consume or primary-publish) from outside it: when a cycle began, and how the
 * last one ended ({@link CycleOutcome}, the body the route leaves). Health and metrics read it; the routes
 * stay unaware. Bound as a {@link RoutePolicyFactory}, so Camel Main attaches it to that route only.
 */
public final class CycleWatch implements RoutePolicyFactory {
    /** The last cycle that ended: its outcome, when, and how long it ran. */
    public record Ended(CycleOutcome outcome, Instant at, Duration took) {
    }

    private final String routeId;
    private final Clock clock;
    private final BiConsumer<CycleOutcome, Duration> listener;
    private volatile Instant runningSince;
    private volatile Ended last;

    public CycleWatch(String routeId, Clock clock, BiConsumer<CycleOutcome, Duration> listener) {
        this.routeId = routeId;
        this.clock = clock;
        this.listener = listener;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String id, NamedNode route) {
        return routeId.equals(id) ? new Policy() : null;
    }

    /** When the cycle now running began; empty between cycles. */
    public Optional<Instant> runningSince() {
        return Optional.ofNullable(runningSince);
    }

    public Optional<Ended> last() {
        return Optional.ofNullable(last);
    }

    void begin() {
        runningSince = clock.instant();
    }

    void end(CycleOutcome outcome) {
        Instant began = runningSince;
        Instant now = clock.instant();
        Duration took = began == null ? Duration.ZERO : Duration.between(began, now);
        // the listener first: whoever reads the new outcome also finds the figures it left
        listener.accept(outcome, took);
        runningSince = null;
        last = new Ended(outcome, now, took);
    }

    private final class Policy extends RoutePolicySupport {
        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            begin();
        }

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            CycleOutcome o = exchange.getMessage().getBody(CycleOutcome.class);
            // The route catches every failure into an outcome; an exchange without one still failed.
            end(o != null ? o : new CycleOutcome("failed", exchange.getException() == null ? "cycle ended without an outcome"
                    : String.valueOf(exchange.getException().getMessage()), false, null));
        }
    }
}
