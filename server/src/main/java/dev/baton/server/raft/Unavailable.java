package dev.baton.server.raft;

/**
 * The cluster could not decide a request now: there is no leader, or this node cannot reach a
 * quorum. For a write the outcome is unknown; a client retries it with the same Idempotency-Key.
 */
public final class Unavailable extends RuntimeException {
    public Unavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
