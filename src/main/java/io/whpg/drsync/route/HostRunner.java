package io.whpg.drsync.route;

import io.whpg.drsync.dr.HostCall;
import io.whpg.drsync.dr.HostReply;
import io.whpg.drsync.exec.CommandResult;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one {@link HostCall} on its host's shell; a host that cannot be reached becomes a reply, not an exception. */
public final class HostRunner implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(HostRunner.class);

    @Override
    public void process(Exchange exchange) throws InvalidPayloadException {
        HostCall call = exchange.getIn().getMandatoryBody(HostCall.class);
        long t0 = System.nanoTime();
        HostReply reply;
        try {
            CommandResult result = call.shells().get(call.host()).run(call.script(), call.timeout());
            reply = new HostReply(call, result, null, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            reply = new HostReply(call, null, e.getMessage(), (System.nanoTime() - t0) / 1_000_000);
        }
        LOG.debug("{} on {}: {} ms{}", call.step(), call.host().describe(), reply.millis(),
                reply.ok() ? "" : " FAILED: " + reply.problem());
        exchange.getIn().setBody(reply);
    }
}
