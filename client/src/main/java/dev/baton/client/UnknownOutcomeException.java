package dev.baton.client;

/**
 * A write may or may not have been applied: a node received it, but its answer was lost (a
 * timeout, a dropped connection, or a 503 from a node that could not reach a leader in time).
 * The client has already retried it through every node it knows until its deadline, always with
 * the same Idempotency-Key. Retry it again with {@link #idempotencyKey()} (every write method has
 * an overload that takes the key): the server returns the first answer and applies nothing
 * twice, for 24 hours, through any node. Retrying with a new key could apply it twice.
 */
public class UnknownOutcomeException extends BatonException {
    private final String idempotencyKey;

    public UnknownOutcomeException(String message, String idempotencyKey, Throwable cause) {
        super(message + " (retry with Idempotency-Key " + idempotencyKey + ")", cause);
        this.idempotencyKey = idempotencyKey;
    }

    /** The key every attempt of this write carried; reuse it to retry safely. */
    public String idempotencyKey() {
        return idempotencyKey;
    }
}
