package dev.baton.core;

import java.util.Objects;

/**
 * One applied log entry as the machine sees it.
 *
 * @param leaderTimeMs   the leader's wall clock when it accepted the entry: the only time the
 *                       machine ever sees
 * @param idempotencyKey the client's Idempotency-Key, or null
 */
public record Entry(long leaderTimeMs, String idempotencyKey, Command command) {
    public Entry {
        Objects.requireNonNull(command, "command");
    }
}
