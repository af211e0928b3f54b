package dev.baton.server.raft;

/**
 * The cluster could not decide a request now: there is no leader, or this node cannot reach a
 * quorum. For a write the outcome is unknown; a client retries it with the same Idempotency-Key.
 */
public final class Unavailable extends RuntimeException {
    /** Why a write found no leader to take it in time. */
    static final String NO_LEADER = "the cluster has no leader that can take this request now";

    public Unavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
