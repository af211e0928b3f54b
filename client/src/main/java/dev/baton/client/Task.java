package dev.baton.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A task as the API returns it: every field of the contract's task document, under its JSON
 * name. Nullable fields are boxed; collections are never null and cannot be modified.
 * Timestamps are leader time.
 *
 * @param blockedBy the blockers that have not completed yet
 * @param blocks the tasks still waiting on this one
 * @param ready pending, unblocked, and past {@code notBefore}, as of the answer
 * @param owner the claiming agent, set exactly while {@code in_progress}
 * @param token the fencing token of the current claim, set exactly while {@code in_progress}
 * @param stallMs how long the owner may stay silent about this task before it is released
 */
public record Task(
        String queue,
        long id,
        String subject,
        String description,
        String activeForm,
        TaskStatus status,
        boolean ready,
        String owner,
        Long token,
        int priority,
        List<Long> blockedBy,
        List<Long> blocks,
        List<String> resources,
        List<String> requires,
        Map<String, String> labels,
        String key,
        int attempts,
        int maxAttempts,
        Long stallMs,
        Instant notBefore,
        Progress progress,
        String result,
        String failure,
        Instant createdAt,
        Instant updatedAt,
        Instant claimedAt,
        Instant completedAt) {

    public Task {
        blockedBy = blockedBy == null ? List.of() : List.copyOf(blockedBy);
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
        resources = resources == null ? List.of() : List.copyOf(resources);
        requires = requires == null ? List.of() : List.copyOf(requires);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
