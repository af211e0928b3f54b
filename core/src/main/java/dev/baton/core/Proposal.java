package dev.baton.core;

import java.util.Objects;

/**
 * One request as a node proposes it, before the leader stamps its time: a node groups the
 * proposals that arrive while its previous entries are being replicated into one log entry
 * ({@link Codec#encodeBatch}), and the machine applies them in order
 * ({@link TaskMachine#applyAll}).
 *
 * @param idempotencyKey the client's Idempotency-Key, or null
 */
public record Proposal(String idempotencyKey, Command command) {
    public Proposal {
        Objects.requireNonNull(command, "command");
    }
}
