package dev.baton.client;

/**
 * The root of every error this client throws; all are unchecked. The subclass says what to do:
 * {@link RefusedException} (do not retry), {@link UnavailableException} (retry later), and
 * {@link UnknownOutcomeException} (retry with the same Idempotency-Key). A plain
 * {@code BatonException} means the server answered something this client cannot read.
 */
public class BatonException extends RuntimeException {
    public BatonException(String message) {
        super(message);
    }

    public BatonException(String message, Throwable cause) {
        super(message, cause);
    }
}
