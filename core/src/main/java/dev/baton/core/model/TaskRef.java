package dev.baton.core.model;

import java.util.Objects;

/** A task's identity: its queue and its per-queue id. */
public record TaskRef(String queue, long id) {
    public TaskRef {
        Objects.requireNonNull(queue, "queue");
    }

    @Override
    public String toString() {
        return queue + "#" + id;
    }
}
