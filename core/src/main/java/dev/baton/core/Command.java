package dev.baton.core;

import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A write the log orders and every replica applies. Commands are imperatives; the machine
 * answers each with an {@link Outcome}. Compact constructors check shape only (nulls); whether
 * a command is allowed is decided by {@link Validation} and by the state it meets.
 *
 * <p>Commands carry no time: the leader's stamp travels beside them in the {@link Entry}.
 */
public sealed interface Command permits Command.CreateTask, Command.UpdateTask,
        Command.DeleteTask, Command.Tick {

    /** Creates a task in {@code queue}, creating the queue with its first task. */
    record CreateTask(String queue, String subject, String description, String activeForm,
                      int priority, List<Long> blockedBy, List<String> resources,
                      List<String> requires, SortedMap<String, String> labels, String key,
                      Integer maxAttempts, Long stallMs, Long notBeforeMs, Long delayMs)
            implements Command {
        public CreateTask {
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(subject, "subject");
            blockedBy = List.copyOf(blockedBy);
            resources = List.copyOf(resources);
            requires = List.copyOf(requires);
            labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        }
    }

    /**
     * Changes the fields that are non-null. {@code clearNotBefore} distinguishes "set notBefore to
     * null" from "leave it".
     */
    record UpdateTask(String queue, long id, String subject, String description,
                      String activeForm, Integer priority, SortedMap<String, String> labels,
                      List<String> resources, Integer maxAttempts, Long notBeforeMs,
                      boolean clearNotBefore, List<Long> addBlockedBy, List<Long> removeBlockedBy)
            implements Command {
        public UpdateTask {
            Objects.requireNonNull(queue, "queue");
            labels = labels == null ? null
                    : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
            resources = resources == null ? null : List.copyOf(resources);
            addBlockedBy = List.copyOf(addBlockedBy);
            removeBlockedBy = List.copyOf(removeBlockedBy);
        }
    }

    /** Deletes a task: it leaves every blockedBy, its key is freed, a claim on it ends. */
    record DeleteTask(String queue, long id) implements Command {
        public DeleteTask {
            Objects.requireNonNull(queue, "queue");
        }
    }

    /**
     * Lets leader time reach the machine when nothing else is written, so that deadlines
     * ({@code notBefore}, later lease expiry) take effect. The leader proposes it; it carries no
     * data of its own.
     */
    record Tick() implements Command {
    }
}
