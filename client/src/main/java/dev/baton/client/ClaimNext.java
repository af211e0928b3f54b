package dev.baton.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The body of a claim-next: {@code ClaimNext.as("agent:w1").count(4)
 * .waitFor(Duration.ofSeconds(20))
 * .capabilities("python")}. The server hands out the ready, unconflicted tasks whose
 * {@code requires} the capabilities cover, highest priority first, then lowest id. Immutable.
 */
public final class ClaimNext extends RequestBody<ClaimNext> {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private ClaimNext(ObjectNode body) {
        super(body);
    }

    @Override
    ClaimNext wrap(ObjectNode body) {
        return new ClaimNext(body);
    }

    /** A claim-next for one task on behalf of this agent, answering at once. */
    public static ClaimNext as(String agent) {
        ObjectNode body = Wire.object();
        body.put("agent", Objects.requireNonNull(agent, "agent"));
        return new ClaimNext(body);
    }

    /** Up to this many tasks at once (1 to 100). */
    public ClaimNext count(int count) {
        return with("count", NODES.numberNode(count));
    }

    /**
     * Waits up to this long (at most 5 minutes) for something to claim; then answers with
     * nothing. The client gives such a call this much more time before it gives up.
     */
    public ClaimNext waitFor(Duration wait) {
        return with("waitMs", NODES.numberNode(wait.toMillis()));
    }

    public ClaimNext capabilities(String... capabilities) {
        return with("capabilities", Wire.strings(List.of(capabilities)));
    }

    public ClaimNext capabilities(List<String> capabilities) {
        return with("capabilities", Wire.strings(capabilities));
    }

    /** Only tasks carrying every one of these labels. */
    public ClaimNext labels(Map<String, String> labels) {
        return with("labels", Wire.labels(labels));
    }

    public String agent() {
        return body.get("agent").asText();
    }

    public int count() {
        return body.path("count").asInt(1);
    }

    public Duration waitDuration() {
        return Duration.ofMillis(body.path("waitMs").asLong(0));
    }
}
