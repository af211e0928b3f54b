package dev.baton.client;

/**
 * No node could answer before the call's deadline: every node was unreachable, or answered
 * 503 because it knew no leader. Thrown for reads, and for writes that were surely not applied
 * (no node received them). Nothing changed; retry later. The client has already tried every
 * node it knows, with backoff, until its deadline.
 */
public class UnavailableException extends BatonException {
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
