package dev.baton.core.model;

import java.util.List;
import java.util.Objects;

/**
 * One entry of a task's history. {@code index} is the Raft log index of the entry that caused it
 * and {@code atMs} that entry's leader time, so every replica records the same event.
 *
 * @param agent  the agent that caused the event, or null
 * @param token  the fencing token involved, or null
 * @param reason a short reason (for example {@code agent_left}), or null
 * @param fields for {@code updated}: the names of the fields that changed; empty otherwise
 */
public record TaskEvent(long index, long atMs, EventType type, String agent, Long token,
                        String reason, List<String> fields) {
    public TaskEvent {
        Objects.requireNonNull(type, "type");
        fields = List.copyOf(fields);
    }

    public static TaskEvent of(long index, long atMs, EventType type) {
        return new TaskEvent(index, atMs, type, null, null, null, List.of());
    }
}
