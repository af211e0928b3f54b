package dev.baton.core;

/**
 * Always-on invariant checks. A broken invariant in the state machine is a bug: crashing the
 * replica is better than letting it diverge from its peers, so these are never compiled out.
 */
public final class Check {
    private Check() {
    }

    public static void state(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
