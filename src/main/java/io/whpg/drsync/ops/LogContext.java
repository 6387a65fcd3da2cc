package io.whpg.drsync.ops;

import io.whpg.drsync.dr.ConsumeCycle;
import io.whpg.drsync.dr.Selection;
import io.whpg.drsync.primary.PublishCycle;
import io.whpg.drsync.route.ConsumeSteps;
import io.whpg.drsync.route.PublishSteps;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.slf4j.MDC;

/**
 * Puts who and what a log line is about into the MDC before every step, on whichever thread runs it (the
 * per-instance splits and per-host fan-out run on pools): {@code whpg.role}, {@code whpg.point} (the
 * restore point the cycle publishes or moves to, once known) and {@code whpg.segment} (the content id a
 * per-instance step works on). config/logback.xml prints them on each line.
 */
public final class LogContext implements InterceptStrategy {
    public static final String ROLE = "whpg.role";
    public static final String POINT = "whpg.point";
    public static final String SEGMENT = "whpg.segment";
    /** All three in one field, as config/logback.xml prints them: {@code dr sync_point_20260201_181406 seg 0}. */
    public static final String LINE = "whpg";
    private static final String SEGMENT_HEADER = "WhpgSegmentId";

    private final String role;

    public LogContext(String role) {
        this.role = role;
        MDC.put(ROLE, role);
        MDC.put(LINE, role);
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target, Processor next) {
        return new DelegateAsyncProcessor(AsyncProcessorConverterHelper.convert(target)) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                String point = pointOf(exchange);
                Object segment = exchange.getMessage().getHeader(SEGMENT_HEADER);
                MDC.put(ROLE, role);
                put(POINT, point);
                put(SEGMENT, segment == null ? null : segment.toString());
                MDC.put(LINE, role + (point == null ? "" : " " + point) + (segment == null ? "" : " seg " + segment));
                return super.process(exchange, callback);
            }
        };
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    private static String pointOf(Exchange exchange) {
        if (exchange.getProperty(PublishSteps.CYCLE) instanceof PublishCycle p) {
            return p.restorePoint();
        }
        if (exchange.getProperty(ConsumeSteps.CYCLE) instanceof ConsumeCycle c) {
            Selection s = c.selection();
            return s != null && s.manifest() != null ? s.manifest().restorePoint() : null;
        }
        return exchange.getMessage().getHeader(ConsumeSteps.TARGET_HEADER, String.class);
    }
}
