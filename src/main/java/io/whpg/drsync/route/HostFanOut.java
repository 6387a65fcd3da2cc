package io.whpg.drsync.route;

import io.whpg.drsync.dr.HostReply;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code direct:dr-hosts}: body = the step's host calls; each host is worked on its own thread (at most
 * {@code ssh.max_parallel_hosts} at once) and the body comes back as the list of replies.
 */
public final class HostFanOut extends RouteBuilder {
    public static final String URI = "direct:dr-hosts";
    public static final String POOL = "drHostPool";

    @Override
    public void configure() {
        from(URI).routeId("dr-hosts")
                .split(body(), new CollectReplies()).parallelProcessing().executorService(POOL).stopOnException()
                    .process(new HostRunner()).id("run-on-host")
                .end();
    }

    /** Gathers every split's reply into one list on the original exchange. */
    static final class CollectReplies implements AggregationStrategy {
        @Override
        @SuppressWarnings("unchecked")
        public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
            HostReply reply = newExchange.getIn().getBody(HostReply.class);
            if (oldExchange == null) {
                List<HostReply> replies = new ArrayList<>();
                replies.add(reply);
                newExchange.getIn().setBody(replies);
                return newExchange;
            }
            oldExchange.getIn().getBody(List.class).add(reply);
            return oldExchange;
        }
    }
}
