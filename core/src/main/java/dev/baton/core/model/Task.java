package dev.baton.core.model;

import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A task as the state machine keeps it. Immutable; a transition builds a new one through
 * {@link #toBuilder()}. Times are leader-time milliseconds since the epoch; optional values are
 * null when absent. Collections are copied and, for labels, sorted, so that two replicas that
 * build the same task encode the same bytes.
 *
 * <p>Invariants (checked by the machine, not here): {@code owner} and {@code token} are set
 * exactly while {@code status == IN_PROGRESS}; {@code blockedBy} lists only blockers that have
 * not completed; {@code blocks} lists only dependents still waiting on this task.
 *
 * @param lastActivityMs while in progress: the owner's last claim, progress or renewal of this
 *                       task, from which a stall is measured (not shown to users)
 * @param eventCount     how many history events the task has recorded (not shown to users)
 */
public record Task(
        String queue, long id, String subject, String description, String activeForm,
        TaskStatus status, String owner, Long token, int priority,
        List<Long> blockedBy, List<Long> blocks, List<String> resources, List<String> requires,
        SortedMap<String, String> labels, String key, int attempts, int maxAttempts, Long stallMs,
        Long notBeforeMs, Progress progress, String result, String failure,
        long createdAtMs, long updatedAtMs, Long claimedAtMs, Long completedAtMs,
        Long lastActivityMs, long eventCount) {

    public Task {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(status, "status");
        blockedBy = List.copyOf(blockedBy);
        blocks = List.copyOf(blocks);
        resources = List.copyOf(resources);
        requires = List.copyOf(requires);
        labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    public TaskRef ref() {
        return new TaskRef(queue, id);
    }

    /** Pending, unblocked and due: what a claim may take (given the machine's current time). */
    public boolean isReadyAt(long nowMs) {
        return status == TaskStatus.PENDING && blockedBy.isEmpty()
                && (notBeforeMs == null || notBeforeMs <= nowMs);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A mutable copy used to build the next version of a task. */
    public static final class Builder {
        public String queue;
        public long id;
        public String subject;
        public String description;
        public String activeForm;
        public TaskStatus status;
        public String owner;
        public Long token;
        public int priority;
        public List<Long> blockedBy;
        public List<Long> blocks;
        public List<String> resources;
        public List<String> requires;
        public SortedMap<String, String> labels;
        public String key;
        public int attempts;
        public int maxAttempts;
        public Long stallMs;
        public Long notBeforeMs;
        public Progress progress;
        public String result;
        public String failure;
        public long createdAtMs;
        public long updatedAtMs;
        public Long claimedAtMs;
        public Long completedAtMs;
        public Long lastActivityMs;
        public long eventCount;

        public Builder() {
        }

        private Builder(Task t) {
            queue = t.queue;
            id = t.id;
            subject = t.subject;
            description = t.description;
            activeForm = t.activeForm;
            status = t.status;
            owner = t.owner;
            token = t.token;
            priority = t.priority;
            blockedBy = t.blockedBy;
            blocks = t.blocks;
            resources = t.resources;
            requires = t.requires;
            labels = t.labels;
            key = t.key;
            attempts = t.attempts;
            maxAttempts = t.maxAttempts;
            stallMs = t.stallMs;
            notBeforeMs = t.notBeforeMs;
            progress = t.progress;
            result = t.result;
            failure = t.failure;
            createdAtMs = t.createdAtMs;
            updatedAtMs = t.updatedAtMs;
            claimedAtMs = t.claimedAtMs;
            completedAtMs = t.completedAtMs;
            lastActivityMs = t.lastActivityMs;
            eventCount = t.eventCount;
        }

        public Task build() {
            return new Task(queue, id, subject, description, activeForm, status, owner, token,
                    priority, blockedBy, blocks, resources, requires, labels, key, attempts,
                    maxAttempts, stallMs, notBeforeMs, progress, result, failure, createdAtMs,
                    updatedAtMs, claimedAtMs, completedAtMs, lastActivityMs, eventCount);
        }
    }
}
