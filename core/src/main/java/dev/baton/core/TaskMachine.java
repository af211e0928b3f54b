package dev.baton.core;

import dev.baton.core.Outcome.Rejected;
import dev.baton.core.model.EventType;
import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskStatus;
import dev.baton.core.state.KeyValueStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * Applies log entries to the task state. This is where every write is decided.
 *
 * <p><b>Determinism.</b> The outcome and the resulting store bytes depend only on the store's
 * contents and the entry: no clock, no randomness, no I/O, and only ordered iteration. The
 * machine's time is {@code max(previous time, entry's leader time)}, so it never runs backwards
 * even when a new leader's clock is behind the old one's.
 *
 * <p><b>Threads.</b> Not thread-safe. The caller applies entries from one thread and keeps
 * readers ({@link TaskReader}) out while an entry is being applied.
 *
 * <p><b>Invariants</b> kept on every entry: a task's index entries (ready, delayed, dedupe key)
 * and its queue's counters agree with the task (see {@link #save}); {@code blockedBy} and
 * {@code blocks} are mirror images over unfinished tasks; the clock never decreases.
 */
public final class TaskMachine {
    private final Tables tables;
    private final long idempotencyKeysMax;
    private long nowMs;

    /**
     * @param idempotencyKeysMax how many Idempotency-Keys the table keeps before dropping the
     *                           oldest (the cluster's configured size; every replica must agree)
     */
    public TaskMachine(KeyValueStore store, long idempotencyKeysMax) {
        Check.state(idempotencyKeysMax >= 1, "idempotencyKeysMax must be positive");
        this.tables = new Tables(store);
        this.idempotencyKeysMax = idempotencyKeysMax;
        this.nowMs = tables.meta(Tables.CLOCK, 0);
    }

    /** Re-reads state the machine caches, after the store was replaced (snapshot install). */
    public void reload() {
        nowMs = tables.meta(Tables.CLOCK, 0);
    }

    /** The machine's time: the latest leader stamp applied so far. */
    public long nowMs() {
        return nowMs;
    }

    /**
     * Applies one entry.
     *
     * @param index the entry's log index, recorded in history events
     */
    public Outcome apply(long index, Entry entry) {
        advanceClock(entry.leaderTimeMs());
        dropExpiredIdempotencyKeys();
        String key = entry.idempotencyKey();
        if (key == null) {
            return decide(index, entry.command());
        }
        Rejected badKey = Validation.idempotencyKey(key);
        if (badKey != null) {
            return badKey;
        }
        long fingerprint = fingerprint(entry.command());
        byte[] seen = tables.store.get(Keys.idempotency(key));
        if (seen != null) {
            IdempotencyRecord first = IdempotencyRecord.decode(seen);
            if (first.fingerprint() != fingerprint) {
                return Rejected.invalid("Idempotency-Key " + key
                        + " was already used for a different request");
            }
            return Codec.decodeOutcome(first.outcome());
        }
        Outcome outcome = decide(index, entry.command());
        remember(key, fingerprint, outcome);
        return outcome;
    }

    private Outcome decide(long index, Command command) {
        Rejected invalid = Validation.command(command);
        if (invalid != null) {
            return invalid;
        }
        if (command instanceof Command.CreateTask c) {
            return create(index, c);
        }
        if (command instanceof Command.UpdateTask u) {
            return update(index, u);
        }
        if (command instanceof Command.DeleteTask d) {
            return delete(index, d);
        }
        if (command instanceof Command.Tick) {
            return new Outcome.Ticked();
        }
        throw new AssertionError("unhandled command " + command);
    }

    // ----- time -----

    private void advanceClock(long leaderTimeMs) {
        if (leaderTimeMs > nowMs) {
            nowMs = leaderTimeMs;
            tables.putMeta(Tables.CLOCK, nowMs);
        }
        promoteDueTasks();
    }

    /** Delayed tasks whose {@code notBefore} has passed become ready, in due order. */
    private void promoteDueTasks() {
        List<String> due = new ArrayList<>();
        Iterator<Map.Entry<String, byte[]>> it =
                tables.store.scan(Keys.DELAYED, Keys.delayedDueEnd(nowMs));
        while (it.hasNext()) {
            due.add(it.next().getKey());
        }
        for (String key : due) {
            String queue = Keys.delayedQueue(key);
            Task t = tables.task(queue, Keys.delayedId(key));
            tables.store.delete(key);
            tables.store.put(Keys.ready(queue, t.priority(), t.id()), EMPTY);
            QueueSummary q = tables.queue(queue);
            tables.putQueue(new QueueSummary(q.name(), q.nextId(), q.pending(), q.ready() + 1,
                    q.inProgress(), q.completed(), q.failed(), q.deleted()));
        }
    }

    /**
     * The earliest future moment at which time alone changes the state (a delayed task becoming
     * ready), or {@link Long#MAX_VALUE}. The leader proposes a {@link Command.Tick} then.
     */
    public long nextDeadlineMs() {
        Iterator<Map.Entry<String, byte[]>> it = tables.store.scan(Keys.DELAYED,
                Keys.DELAYED + Keys.END);
        return it.hasNext() ? Keys.delayedTime(it.next().getKey()) : Long.MAX_VALUE;
    }

    // ----- tasks -----

    private Outcome create(long index, Command.CreateTask c) {
        QueueSummary queue = tables.queueOrEmpty(c.queue());
        if (c.key() != null) {
            byte[] existing = tables.store.get(Keys.dedupe(c.queue(), c.key()));
            if (existing != null) {
                return new Outcome.TaskFound(tables.task(c.queue(), Codec.decodeLong(existing)));
            }
        }
        List<Task> blockers = new ArrayList<>();
        for (long blockerId : new LinkedHashSet<>(c.blockedBy())) {
            Task blocker = tables.task(c.queue(), blockerId);
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
        tables.putQueue(new QueueSummary(queue.name(), id + 1, queue.pending(), queue.ready(),
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
        b.notBeforeMs = c.delayMs() != null ? Long.valueOf(nowMs + c.delayMs()) : c.notBeforeMs();
        b.createdAtMs = nowMs;
        b.updatedAtMs = nowMs;
        record(b, TaskEvent.of(index, nowMs, EventType.CREATED));
        Task task = b.build();
        save(null, task);

        for (Task blocker : blockers) {
            Task.Builder bb = blocker.toBuilder();
            bb.blocks = with(blocker.blocks(), id);
            save(blocker, bb.build());
        }
        return new Outcome.TaskCreated(task);
    }

    private Outcome update(long index, Command.UpdateTask u) {
        Task before = tables.task(u.queue(), u.id());
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
            Task blocker = tables.task(u.queue(), blockerId);
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
        b.updatedAtMs = nowMs;
        record(b, new TaskEvent(index, nowMs, EventType.UPDATED, null, null, null, fields));
        Task after = b.build();
        save(before, after);

        for (Task blocker : added) {
            Task.Builder bb = blocker.toBuilder();
            bb.blocks = with(blocker.blocks(), after.id());
            save(blocker, bb.build());
        }
        for (long blockerId : removeIds) {
            Task blocker = tables.task(u.queue(), blockerId);
            Task.Builder bb = blocker.toBuilder();
            bb.blocks = without(blocker.blocks(), after.id());
            save(blocker, bb.build());
        }
        return new Outcome.TaskUpdated(after);
    }

    private Outcome delete(long index, Command.DeleteTask d) {
        Task before = tables.task(d.queue(), d.id());
        if (before == null) {
            return notFound(d.queue(), d.id());
        }
        if (before.status() == TaskStatus.DELETED) {
            return new Outcome.TaskDeleted(before);
        }
        for (long blockerId : before.blockedBy()) {
            Task blocker = tables.task(d.queue(), blockerId);
            Task.Builder bb = blocker.toBuilder();
            bb.blocks = without(blocker.blocks(), before.id());
            save(blocker, bb.build());
        }
        unblockDependents(before);
        Task.Builder b = before.toBuilder();
        b.status = TaskStatus.DELETED;
        b.owner = null;
        b.token = null;
        b.progress = null;
        b.blockedBy = List.of();
        b.blocks = List.of();
        b.updatedAtMs = nowMs;
        record(b, TaskEvent.of(index, nowMs, EventType.DELETED));
        Task after = b.build();
        save(before, after);
        return new Outcome.TaskDeleted(after);
    }

    /** A finished blocker leaves the {@code blockedBy} of every task waiting on it. */
    private void unblockDependents(Task finished) {
        for (long dependentId : finished.blocks()) {
            Task dependent = tables.task(finished.queue(), dependentId);
            Task.Builder b = dependent.toBuilder();
            b.blockedBy = without(dependent.blockedBy(), finished.id());
            save(dependent, b.build());
        }
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
            Task t = current == from.id() ? from : tables.task(from.queue(), current);
            for (long next : t.blockedBy()) {
                if (seen.add(next)) {
                    parent.put(next, current);
                    frontier.addLast(next);
                }
            }
        }
        return null;
    }

    // ----- persistence of one task -----

    /**
     * Writes a task's new version and brings its index entries and its queue's counters in line
     * with it. Every change of a task goes through here, so the indexes cannot drift: the entries
     * of {@code before} are removed and those of {@code after} added, both judged at the current
     * time (delayed tasks that came due were promoted before this entry was decided).
     */
    private void save(Task before, Task after) {
        tables.putTask(after);
        Slot was = slot(before);
        Slot is = slot(after);
        if (was == Slot.READY) {
            tables.store.delete(Keys.ready(before.queue(), before.priority(), before.id()));
        } else if (was == Slot.DELAYED) {
            tables.store.delete(Keys.delayed(before.notBeforeMs(), before.queue(), before.id()));
        }
        if (is == Slot.READY) {
            tables.store.put(Keys.ready(after.queue(), after.priority(), after.id()), EMPTY);
        } else if (is == Slot.DELAYED) {
            tables.store.put(Keys.delayed(after.notBeforeMs(), after.queue(), after.id()), EMPTY);
        }
        String keyBefore = liveKey(before);
        String keyAfter = liveKey(after);
        if (keyBefore != null && !keyBefore.equals(keyAfter)) {
            tables.store.delete(Keys.dedupe(before.queue(), keyBefore));
        }
        if (keyAfter != null && !keyAfter.equals(keyBefore)) {
            tables.store.put(Keys.dedupe(after.queue(), keyAfter), Codec.encodeLong(after.id()));
        }
        TaskStatus statusBefore = before == null ? null : before.status();
        if (statusBefore != after.status() || was != is) {
            QueueSummary q = tables.queue(after.queue());
            long[] counts = {q.pending(), q.inProgress(), q.completed(), q.failed(), q.deleted()};
            if (statusBefore != null) {
                counts[statusBefore.ordinal()]--;
            }
            counts[after.status().ordinal()]++;
            long ready = q.ready() - (was == Slot.READY ? 1 : 0) + (is == Slot.READY ? 1 : 0);
            tables.putQueue(new QueueSummary(q.name(), q.nextId(), counts[0], ready, counts[1],
                    counts[2], counts[3], counts[4]));
        }
    }

    private enum Slot { NONE, READY, DELAYED }

    private Slot slot(Task t) {
        if (t == null || t.status() != TaskStatus.PENDING || !t.blockedBy().isEmpty()) {
            return Slot.NONE;
        }
        return t.isReadyAt(nowMs) ? Slot.READY : Slot.DELAYED;
    }

    private static String liveKey(Task t) {
        return t == null || t.status() == TaskStatus.DELETED ? null : t.key();
    }

    /** Appends an event to the task being built, dropping its oldest beyond the limit. */
    private void record(Task.Builder b, TaskEvent event) {
        long seq = b.eventCount;
        tables.store.put(Keys.event(b.queue, b.id, seq), Codec.encodeEvent(event));
        if (seq >= Limits.HISTORY_EVENTS_PER_TASK_MAX) {
            tables.store.delete(
                    Keys.event(b.queue, b.id, seq - Limits.HISTORY_EVENTS_PER_TASK_MAX));
        }
        b.eventCount = seq + 1;
    }

    // ----- idempotency -----

    private void remember(String key, long fingerprint, Outcome outcome) {
        long seq = tables.meta(Tables.IDEMPOTENCY_SEQ, 0);
        tables.putMeta(Tables.IDEMPOTENCY_SEQ, seq + 1);
        tables.putMeta(Tables.IDEMPOTENCY_COUNT, tables.meta(Tables.IDEMPOTENCY_COUNT, 0) + 1);
        tables.store.put(Keys.idempotency(key), new IdempotencyRecord(nowMs, seq, fingerprint,
                Codec.encodeOutcome(outcome)).encode());
        tables.store.put(Keys.idempotencyOrder(seq), key.getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Drops keys older than 24 hours of leader time, and the oldest beyond the configured count.
     * At most a few per entry, so that one apply never does unbounded work.
     */
    private void dropExpiredIdempotencyKeys() {
        long count = tables.meta(Tables.IDEMPOTENCY_COUNT, 0);
        if (count == 0) {
            return;
        }
        Iterator<Map.Entry<String, byte[]>> it =
                tables.store.scan(Keys.IDEMPOTENCY_ORDER, Keys.IDEMPOTENCY_ORDER + Keys.END);
        List<Map.Entry<String, byte[]>> oldest = new ArrayList<>();
        while (it.hasNext() && oldest.size() < Limits.IDEMPOTENCY_DROPS_PER_ENTRY_MAX) {
            oldest.add(it.next());
        }
        long dropped = 0;
        for (Map.Entry<String, byte[]> e : oldest) {
            String key = new String(e.getValue(), java.nio.charset.StandardCharsets.UTF_8);
            IdempotencyRecord r = IdempotencyRecord.decode(
                    tables.store.get(Keys.idempotency(key)));
            boolean tooMany = count - dropped > idempotencyKeysMax;
            boolean tooOld = r.atMs() + Limits.IDEMPOTENCY_TTL_MS < nowMs;
            if (!tooMany && !tooOld) {
                break;
            }
            tables.store.delete(e.getKey());
            tables.store.delete(Keys.idempotency(key));
            dropped++;
        }
        if (dropped > 0) {
            tables.putMeta(Tables.IDEMPOTENCY_COUNT, count - dropped);
        }
    }

    private static long fingerprint(Command command) {
        CRC32 crc = new CRC32();
        byte[] bytes = Codec.encodeCommand(command);
        crc.update(bytes);
        return (crc.getValue() << 32) ^ Arrays.hashCode(bytes);
    }

    /** The first outcome of a keyed request, when it was applied, and what was asked. */
    private record IdempotencyRecord(long atMs, long seq, long fingerprint, byte[] outcome) {
        byte[] encode() {
            return new ByteWriter(outcome.length + 32).i64(atMs).i64(seq).i64(fingerprint)
                    .blob(outcome).toByteArray();
        }

        static IdempotencyRecord decode(byte[] bytes) {
            ByteReader r = new ByteReader(bytes);
            return new IdempotencyRecord(r.i64(), r.i64(), r.i64(), r.blob());
        }
    }

    // ----- helpers -----

    private static final byte[] EMPTY = new byte[0];

    private static Rejected notFound(String queue, long id) {
        return Rejected.of(Rejection.NOT_FOUND, "task " + queue + "#" + id + " does not exist");
    }

    private static Rejected unknownBlocker(String field, String queue, long id) {
        return new Rejected(Rejection.INVALID_ARGUMENT, field + ": task " + queue + "#" + id
                + " does not exist", Map.of("field", field, "id", id));
    }

    private static List<Long> with(List<Long> ids, long id) {
        List<Long> copy = new ArrayList<>(ids);
        if (!copy.contains(id)) {
            copy.add(id);
        }
        return copy;
    }

    private static List<Long> without(List<Long> ids, long id) {
        List<Long> copy = new ArrayList<>(ids);
        copy.remove(Long.valueOf(id));
        return copy;
    }
}
