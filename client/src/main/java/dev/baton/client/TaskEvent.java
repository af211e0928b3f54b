package dev.baton.client;

import java.time.Instant;
import java.util.List;

/**
 * One entry of a task's history. {@code type} is a string, not an enum, because the server
 * may add event types; the ones the contract names are constants here.
 *
 * @param index the log index of the write that caused it, unique and increasing
 * @param token the fencing token the event concerns, when it concerns a claim
 * @param fields on {@code updated}: the fields that changed
 */
public record TaskEvent(
        String queue,
        long id,
        long index,
        Instant at,
        String type,
        String agent,
        Long token,
        String reason,
        List<String> fields) {
    public static final String CREATED = "created";
    public static final String UPDATED = "updated";
    public static final String CLAIMED = "claimed";
    public static final String RELEASED = "released";
    public static final String EXPIRED = "expired";
    public static final String STALLED = "stalled";
    public static final String HANDED_OFF = "handed_off";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String DELETED = "deleted";

    public TaskEvent {
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    /** The same event, naming its task (history answers leave the task implicit). */
    TaskEvent of(String taskQueue, long taskId) {
        return new TaskEvent(taskQueue, taskId, index, at, type, agent, token, reason, fields);
    }
}
