package dev.baton.client;

import java.time.Instant;
import java.util.List;

/** An agent's live session: its TTL, when it expires by leader time, and what it holds. */
public record AgentSession(String agent, long ttlMs, Instant expiresAt, List<HeldClaim> claims) {
    public AgentSession {
        claims = claims == null ? List.of() : List.copyOf(claims);
    }
}
