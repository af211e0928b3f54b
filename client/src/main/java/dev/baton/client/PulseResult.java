package dev.baton.client;

import java.time.Instant;
import java.util.List;

/**
 * The answer to a pulse.
 *
 * @param revived true when the agent had no live session: any claims it had were released
 * @param claims every claim the session holds after the pulse
 */
public record PulseResult(String agent, long ttlMs, Instant expiresAt, boolean revived,
                          List<HeldClaim> claims) {
    public PulseResult {
        claims = claims == null ? List.of() : List.copyOf(claims);
    }

    /** Whether the session still holds this claim (same task, same token). */
    public boolean holds(String queue, long id, long token) {
        return claims.contains(new HeldClaim(queue, id, token));
    }
}
