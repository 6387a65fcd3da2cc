package io.whpg.drsync.route;

import io.whpg.drsync.dr.HostCall;
import io.whpg.drsync.dr.HostReply;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The fan-out's worker: runs one {@link HostCall} on its host and logs how it went. */
public final class HostRunner implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(HostRunner.class);

    @Override
    public void process(Exchange exchange) throws InvalidPayloadException {
        HostCall call = exchange.getIn().getMandatoryBody(HostCall.class);
        HostReply reply = call.run();
        LOG.debug("{} on {}: {} ms{}", call.step(), call.host().describe(), reply.millis(),
                reply.ok() ? "" : " FAILED: " + reply.problem());
        exchange.getIn().setBody(reply);
    }
}
