package dev.baton.core;

import dev.baton.core.Outcome.Rejected;
import dev.baton.core.model.EventType;
import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rules of the task store: create, update, delete, and the dependency graph between tasks.
 * Decides and computes; every write goes through {@link Mutations}.
 */
final class TaskRules {
    private final Mutations m;

    TaskRules(Mutations m) {
        this.m = m;
    }

    Outcome create(long index, Command.CreateTask c) {
        QueueSummary queue = m.tables.queueOrEmpty(c.queue());
        if (c.key() != null) {
            byte[] existing = m.tables.store.get(Keys.dedupe(c.queue(), c.key()));
            if (existing != null) {
                return new Outcome.TaskFound(m.tables.task(c.queue(), Codec.decodeLong(existing)));
            }
        }
        List<Task> blockers = new ArrayList<>();
        for (long blockerId : new LinkedHashSet<>(c.blockedBy())) {
            Task blocker = m.tables.task(c.queue(), blockerId);
            if (blocker == null) {
                return unknownBlocker("blockedBy", c.queue(), blockerId);
            }
            // A completed or deleted blocker has nothing left to wait for.
            if (blocker.status() != TaskStatus.COMPLETED
                    && blocker.status() != TaskStatus.DELETED) {
                blockers.add(blocker);
            }
        }
        long id = queue.nextId();
        m.tables.putQueue(new QueueSummary(queue.name(), id + 1, queue.pending(), queue.ready(),
                queue.inProgress(), queue.completed(), queue.failed(), queue.deleted()));

        Task.Builder b = new Task.Builder();
        b.queue = c.queue();
        b.id = id;
        b.subject = c.subject();
        b.description = c.description() == null ? "" : c.description();
        b.activeForm = c.activeForm();
        b.status = TaskStatus.PENDING;
        b.priority = c.priority();
        b.blockedBy = blockers.stream().map(Task::id).toList();
        b.blocks = List.of();
        b.resources = c.resources();
        b.requires = c.requires();
        b.labels = c.labels();
        b.key = c.key();
        b.maxAttempts = c.maxAttempts() == null ? Limits.MAX_ATTEMPTS_DEFAULT : c.maxAttempts();
        b.stallMs = c.stallMs();
        b.notBeforeMs = c.delayMs() != null ? Long.valueOf(m.nowMs + c.delayMs())
                : c.notBeforeMs();
        b.createdAtMs = m.nowMs;
        b.updatedAtMs = m.nowMs;
        m.record(b, TaskEvent.of(index, m.nowMs, EventType.CREATED));
        Task task = b.build();
        m.save(null, task);

        for (Task blocker : blockers) {
            Task.Builder bb = blocker.toBuilder();
            bb.blocks = Mutations.with(blocker.blocks(), id);
            m.save(blocker, bb.build());
        }
        return new Outcome.TaskCreated(task);
    }

    Outcome update(long index, Command.UpdateTask u) {
        Task before = m.tables.task(u.queue(), u.id());
        if (before == null) {
            return notFound(u.queue(), u.id());
        }
        if (before.status() == TaskStatus.DELETED) {
            return Rejected.invalid("task " + before.ref() + " is deleted and cannot change");
        }
        // Check every new edge before changing anything, so a refusal changes nothing.
        List<Task> added = new ArrayList<>();
        Set<Long> addIds = new LinkedHashSet<>(u.addBlockedBy());
        addIds.removeAll(before.blockedBy());
        for (long blockerId : addIds) {
            Task blocker = m.tables.task(u.queue(), blockerId);
            if (blocker == null) {
                return unknownBlocker("addBlockedBy", u.queue(), blockerId);
            }
            if (blocker.status() == TaskStatus.COMPLETED
                    || blocker.status() == TaskStatus.DELETED) {
                continue;
            }
            List<Long> path = pathOfBlockers(blocker, before.id());
            if (path != null) {
                return new Rejected(Rejection.CYCLE, "task " + before.ref()
                        + " cannot wait on #" + blockerId + ": #" + blockerId
                        + " already waits on it", Map.of("cycle", path));
            }
            added.add(blocker);
        }
        Set<Long> removeIds = new LinkedHashSet<>(u.removeBlockedBy());
        removeIds.retainAll(before.blockedBy());
        int blockerCount = before.blockedBy().size() + added.size() - removeIds.size();
        if (blockerCount > Limits.BLOCKERS_MAX) {
            return Rejected.invalid("task " + before.ref() + " would wait on " + blockerCount
                    + " tasks; at most " + Limits.BLOCKERS_MAX + " are allowed");
        }

        Task.Builder b = before.toBuilder();
        List<String> fields = new ArrayList<>();
        if (u.subject() != null && !u.subject().equals(before.subject())) {
            b.subject = u.subject();
            fields.add("subject");
        }
        if (u.description() != null && !u.description().equals(before.description())) {
            b.description = u.description();
            fields.add("description");
        }
        if (u.activeForm() != null && !u.activeForm().equals(before.activeForm())) {
            b.activeForm = u.activeForm();
            fields.add("activeForm");
        }
        if (u.priority() != null && u.priority() != before.priority()) {
            b.priority = u.priority();
            fields.add("priority");
        }
        if (u.labels() != null && !u.labels().equals(before.labels())) {
            b.labels = u.labels();
            fields.add("labels");
        }
        if (u.resources() != null && !u.resources().equals(before.resources())) {
            b.resources = u.resources();
            fields.add("resources");
        }
        if (u.maxAttempts() != null && u.maxAttempts() != before.maxAttempts()) {
            b.maxAttempts = u.maxAttempts();
            fields.add("maxAttempts");
        }
        Long notBefore = u.clearNotBefore() ? null
                : u.notBeforeMs() != null ? u.notBeforeMs() : before.notBeforeMs();
        if (!Objects.equals(notBefore, before.notBeforeMs())) {
            b.notBeforeMs = notBefore;
            fields.add("notBefore");
        }
        if (!added.isEmpty() || !removeIds.isEmpty()) {
            List<Long> blockedBy = new ArrayList<>(before.blockedBy());
            blockedBy.removeAll(removeIds);
            added.forEach(t -> blockedBy.add(t.id()));
            b.blockedBy = blockedBy;
            fields.add("blockedBy");
        }
        if (fields.isEmpty()) {
            return new Outcome.TaskUpdated(before);
        }
        b.updatedAtMs = m.nowMs;
        m.record(b, new TaskEvent(index, m.nowMs, EventType.UPDATED, null, null, null,
                fields));
        Task after = b.build();
        m.save(before, after);

        for (Task blocker : added) {
            Task.Builder bb = blocker.toBuilder();
            bb.blocks = Mutations.with(blocker.blocks(), after.id());
            m.save(blocker, bb.build());
        }
        for (long blockerId : removeIds) {
            Task blocker = m.tables.task(u.queue(), blockerId);
            Task.Builder bb = blocker.toBuilder();
            bb.blocks = Mutations.without(blocker.blocks(), after.id());
            m.save(blocker, bb.build());
        }
        return new Outcome.TaskUpdated(after);
    }

    Outcome delete(long index, Command.DeleteTask d) {
        Task before = m.tables.task(d.queue(), d.id());
        if (before == null) {
            return notFound(d.queue(), d.id());
        }
        if (before.status() == TaskStatus.DELETED) {
            return new Outcome.TaskDeleted(before);
        }
        for (long blockerId : before.blockedBy()) {
            Task blocker = m.tables.task(d.queue(), blockerId);
            Task.Builder bb = blocker.toBuilder();
            bb.blocks = Mutations.without(blocker.blocks(), before.id());
            m.save(blocker, bb.build());
        }
        m.unblockDependents(before);
        if (before.status() == TaskStatus.IN_PROGRESS) {
            m.dropClaim(before.owner(), before.queue(), before.id(), false);
        }
        Task.Builder b = before.toBuilder();
        b.status = TaskStatus.DELETED;
        b.owner = null;
        b.token = null;
        b.progress = null;
        b.lastActivityMs = null;
        b.blockedBy = List.of();
        b.blocks = List.of();
        b.updatedAtMs = m.nowMs;
        m.record(b, TaskEvent.of(index, m.nowMs, EventType.DELETED));
        Task after = b.build();
        m.save(before, after);
        return new Outcome.TaskDeleted(after);
    }

    /**
     * The chain of unfinished blockers from {@code from} to the task {@code targetId}, or null
     * when {@code from} does not (transitively) wait on it. Breadth-first, so the chain reported
     * in a {@code cycle} refusal is a shortest one.
     */
    private List<Long> pathOfBlockers(Task from, long targetId) {
        Map<Long, Long> parent = new TreeMap<>();
        Deque<Long> frontier = new ArrayDeque<>();
        Set<Long> seen = new HashSet<>();
        frontier.add(from.id());
        seen.add(from.id());
        while (!frontier.isEmpty()) {
            long current = frontier.removeFirst();
            if (current == targetId) {
                List<Long> path = new ArrayList<>();
                for (Long at = current; at != null; at = parent.get(at)) {
                    path.add(0, at);
                }
                return path;
            }
            Task t = current == from.id() ? from : m.tables.task(from.queue(), current);
            for (long next : t.blockedBy()) {
                if (seen.add(next)) {
                    parent.put(next, current);
                    frontier.addLast(next);
                }
            }
        }
        return null;
    }

    static Rejected notFound(String queue, long id) {
        return Rejected.of(Rejection.NOT_FOUND, "task " + queue + "#" + id + " does not exist");
    }

    private static Rejected unknownBlocker(String field, String queue, long id) {
        return new Rejected(Rejection.INVALID_ARGUMENT, field + ": task " + queue + "#" + id
                + " does not exist", Map.of("field", field, "id", id));
    }
}
