package io.whpg.drsync.route;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;

/**
 * The last cycle's outcome and running counts. It sits at the end of each cycle route as a processor,
 * so Camel's management exposes these attributes on that processor's MBean (hawtio, jconsole, Jolokia).
 */
@ManagedResource(description = "whpg_dr_sync cycles: last outcome and counts")
public final class CycleStats implements Processor {
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile String lastStatus = "none";
    private volatile String lastDetail = "";
    private volatile String lastFinishedAt = "";
    private volatile long lastDurationMillis;

    @Override
    public void process(Exchange exchange) {
        CycleOutcome outcome = exchange.getIn().getBody(CycleOutcome.class);
        if (outcome != null) {
            record(outcome, exchange.getClock().elapsed());
        }
    }

    private void record(CycleOutcome outcome, long durationMillis) {
        (outcome.ok() ? succeeded : failed).incrementAndGet();
        lastStatus = outcome.status();
        lastDetail = outcome.detail();
        lastDurationMillis = durationMillis;
        lastFinishedAt = Instant.now().toString();
    }

    @ManagedAttribute(description = "Cycles that ended well (advanced, published, or nothing to do)")
    public long getSucceeded() {
        return succeeded.get();
    }

    @ManagedAttribute(description = "Cycles that failed (state not advanced / manifest not READY)")
    public long getFailed() {
        return failed.get();
    }

    @ManagedAttribute(description = "Status of the last cycle")
    public String getLastStatus() {
        return lastStatus;
    }

    @ManagedAttribute(description = "One-line detail of the last cycle")
    public String getLastDetail() {
        return lastDetail;
    }

    @ManagedAttribute(description = "When the last cycle ended (UTC)")
    public String getLastFinishedAt() {
        return lastFinishedAt;
    }

    @ManagedAttribute(description = "Duration of the last cycle in milliseconds")
    public long getLastDurationMillis() {
        return lastDurationMillis;
    }
}
