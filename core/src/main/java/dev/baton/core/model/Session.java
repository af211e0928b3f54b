package dev.baton.core.model;

import java.util.List;
import java.util.Objects;

/**
 * An agent's live session: its lease and the tasks it holds. A session exists exactly while the
 * agent is live; expiry or leaving deletes it and releases its claims.
 *
 * @param renewals how many times the lease was renewed; an expiry names the count it saw, so a
 *                 renewal ordered before the expiry entry makes the expiry change nothing
 * @param claims   the tasks the agent holds, in the order it claimed them
 */
public record Session(String agent, long ttlMs, long expiresAtMs, long renewals,
                      List<Claim> claims) {
    public Session {
        Objects.requireNonNull(agent, "agent");
        claims = List.copyOf(claims);
    }

    /** One held task and the fencing token of the claim. */
    public record Claim(String queue, long id, long token) {
        public Claim {
            Objects.requireNonNull(queue, "queue");
        }

        public TaskRef ref() {
            return new TaskRef(queue, id);
        }
    }
}
