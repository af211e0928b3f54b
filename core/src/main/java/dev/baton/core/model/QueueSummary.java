package dev.baton.core.model;

import java.util.Objects;

/**
 * What a queue holds, counted by status. {@code ready} counts the pending tasks that can be
 * claimed now (unblocked, {@code notBefore} passed); it is a subset of {@code pending}.
 *
 * @param nextId the id the queue's next task will get; ids are never reused
 */
public record QueueSummary(String name, long nextId, long pending, long ready, long inProgress,
                           long completed, long failed, long deleted) {
    public QueueSummary {
        Objects.requireNonNull(name, "name");
    }

    public static QueueSummary empty(String name) {
        return new QueueSummary(name, 1, 0, 0, 0, 0, 0, 0);
    }
}
