package dev.baton.core;

import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The one write path of the machine. Every new version of a task or a session is stored through
 * here, together with the index entries and counters derived from it, so that no rule can leave
 * an index out of step with what it indexes. Rules compute; this class writes.
 *
 * <p>Confined to the applying thread, like the machine. {@link #nowMs} is the current entry's
 * time, set by the machine before any rule runs.
 */
final class Mutations {
    final Tables tables;
    long nowMs;
    /** The current entry's log index, and how many events it has recorded so far. */
    long index;
    int eventsInEntry;

    Mutations(Tables tables) {
        this.tables = tables;
    }

    static final byte[] EMPTY = new byte[0];

    // ----- tasks -----

    Task task(String queue, long id) {
        return tables.task(queue, id);
    }

    /**
     * Writes a task's new version and brings its index entries and its queue's counters in line
     * with it: the entries of {@code before} are removed and those of {@code after} added, both
     * judged at the current time (delayed tasks that came due were promoted before the entry's
     * rule ran, so {@code before} is indexed as judged now).
     */
    void save(Task before, Task after) {
        tables.putTask(after);
        Slot was = slot(before);
        Slot is = slot(after);
        if (was != is || was != Slot.NONE && !sameSlotKey(before, after)) {
            deleteIfSet(slotKey(before, was));
            putIfSet(slotKey(after, is));
        }
        move(stallKey(before), stallKey(after));
        move(busyKey(before), busyKey(after));
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
            countChange(after.queue(), statusBefore, after.status(),
                    (is == Slot.READY ? 1 : 0) - (was == Slot.READY ? 1 : 0));
        }
    }

    private void countChange(String queue, TaskStatus from, TaskStatus to, long readyDelta) {
        QueueSummary q = tables.queue(queue);
        long[] counts = {q.pending(), q.inProgress(), q.completed(), q.failed(), q.deleted()};
        if (from != null) {
            counts[from.ordinal()]--;
        }
        counts[to.ordinal()]++;
        tables.putQueue(new QueueSummary(q.name(), q.nextId(), counts[0], q.ready() + readyDelta,
                counts[1], counts[2], counts[3], counts[4]));
    }

    /** Delayed tasks whose {@code notBefore} has passed become ready, in due order. */
    void promoteDueTasks() {
        for (String key : tables.keys(Keys.DELAYED, Keys.delayedDueEnd(nowMs),
                Integer.MAX_VALUE)) {
            String queue = Keys.timedQueue(key);
            Task t = tables.task(queue, Keys.trailingId(key));
            tables.store.delete(key);
            tables.store.put(Keys.ready(queue, t.priority(), t.id()), EMPTY);
            QueueSummary q = tables.queue(queue);
            tables.putQueue(new QueueSummary(q.name(), q.nextId(), q.pending(), q.ready() + 1,
                    q.inProgress(), q.completed(), q.failed(), q.deleted()));
        }
    }

    private enum Slot { NONE, READY, DELAYED }

    private Slot slot(Task t) {
        if (t == null || t.status() != TaskStatus.PENDING || !t.blockedBy().isEmpty()) {
            return Slot.NONE;
        }
        return t.isReadyAt(nowMs) ? Slot.READY : Slot.DELAYED;
    }

    private static String slotKey(Task t, Slot slot) {
        switch (slot) {
            case READY:
                return Keys.ready(t.queue(), t.priority(), t.id());
            case DELAYED:
                return Keys.delayed(t.notBeforeMs(), t.queue(), t.id());
            default:
                return null;
        }
    }

    private static boolean sameSlotKey(Task before, Task after) {
        return before.priority() == after.priority()
                && java.util.Objects.equals(before.notBeforeMs(), after.notBeforeMs());
    }

    private static String stallKey(Task t) {
        if (t == null || t.status() != TaskStatus.IN_PROGRESS || t.stallMs() == null) {
            return null;
        }
        return Keys.stall(t.lastActivityMs() + t.stallMs(), t.queue(), t.id());
    }

    private static String busyKey(Task t) {
        if (t == null || t.status() != TaskStatus.IN_PROGRESS || t.resources().isEmpty()) {
            return null;
        }
        return Keys.busy(t.queue(), t.id());
    }

    private void move(String from, String to) {
        if (from != null && !from.equals(to)) {
            tables.store.delete(from);
        }
        if (to != null && !to.equals(from)) {
            tables.store.put(to, EMPTY);
        }
    }

    private void deleteIfSet(String key) {
        if (key != null) {
            tables.store.delete(key);
        }
    }

    private void putIfSet(String key) {
        if (key != null) {
            tables.store.put(key, EMPTY);
        }
    }

    private static String liveKey(Task t) {
        return t == null || t.status() == TaskStatus.DELETED ? null : t.key();
    }

    /**
     * Appends an event to the task being built (dropping its oldest beyond the limit), and to
     * the events stream (dropping the stream's oldest beyond its limit).
     */
    void record(Task.Builder b, TaskEvent event) {
        long seq = b.eventCount;
        byte[] encoded = Codec.encodeEvent(event);
        tables.store.put(Keys.event(b.queue, b.id, seq), encoded);
        if (seq >= Limits.HISTORY_EVENTS_PER_TASK_MAX) {
            tables.store.delete(
                    Keys.event(b.queue, b.id, seq - Limits.HISTORY_EVENTS_PER_TASK_MAX));
        }
        b.eventCount = seq + 1;
        Check.state(event.index() == index, "an event belongs to the entry being applied");
        tables.store.put(Keys.event(index, eventsInEntry++),
                Codec.encodeStreamEvent(b.queue, b.id, encoded));
        long kept = tables.meta(Tables.EVENTS_COUNT, 0) + 1;
        if (kept > Limits.EVENTS_KEPT_MAX) {
            String oldest = tables.firstKey(Keys.EVENTS, Keys.EVENTS + Keys.END);
            tables.store.delete(oldest);
            tables.putMeta(Tables.EVENTS_DROPPED_TO, Keys.eventIndex(oldest));
            kept--;
        }
        tables.putMeta(Tables.EVENTS_COUNT, kept);
    }

    /** A finished blocker leaves the {@code blockedBy} of every task waiting on it. */
    void unblockDependents(Task finished) {
        for (long dependentId : finished.blocks()) {
            Task dependent = tables.task(finished.queue(), dependentId);
            Task.Builder b = dependent.toBuilder();
            b.blockedBy = without(dependent.blockedBy(), finished.id());
            save(dependent, b.build());
        }
    }

    // ----- sessions -----

    Session session(String agent) {
        return tables.session(agent);
    }

    /** Stores a session's new version (or deletes it when {@code after} is null). */
    void saveSession(Session before, Session after) {
        if (before != null && (after == null || before.expiresAtMs() != after.expiresAtMs())) {
            tables.store.delete(Keys.sessionDeadline(before.expiresAtMs(), before.agent()));
        }
        if (after == null) {
            tables.store.delete(Keys.session(before.agent()));
            return;
        }
        tables.store.put(Keys.session(after.agent()), Codec.encodeSession(after));
        if (before == null || before.expiresAtMs() != after.expiresAtMs()) {
            tables.store.put(Keys.sessionDeadline(after.expiresAtMs(), after.agent()), EMPTY);
        }
    }

    /** The session renewed now with its own TTL (or a new one with {@code ttlMs}). */
    Session renewed(Session s, String agent, long ttlMs) {
        if (s == null) {
            return new Session(agent, ttlMs, nowMs + ttlMs, 0, List.of());
        }
        return new Session(s.agent(), s.ttlMs(), nowMs + s.ttlMs(), s.renewals() + 1,
                s.claims());
    }

    static Session withClaims(Session s, List<Session.Claim> claims) {
        return new Session(s.agent(), s.ttlMs(), s.expiresAtMs(), s.renewals(), claims);
    }

    /** Drops one task from its owner's session, renewing the session if {@code renew}. */
    void dropClaim(String agent, String queue, long id, boolean renew) {
        Session before = session(agent);
        Check.state(before != null, "in-progress task " + queue + "#" + id + " has owner "
                + agent + " without a live session");
        List<Session.Claim> claims = new ArrayList<>(before.claims());
        claims.removeIf(c -> c.queue().equals(queue) && c.id() == id);
        Session after = withClaims(renew ? renewed(before, agent, 0) : before, claims);
        saveSession(before, after);
    }

    long nextToken() {
        long token = tables.meta(Tables.TOKEN, 0) + 1;
        tables.putMeta(Tables.TOKEN, token);
        return token;
    }

    // ----- helpers -----

    static List<Long> with(List<Long> ids, long id) {
        List<Long> copy = new ArrayList<>(ids);
        if (!copy.contains(id)) {
            copy.add(id);
        }
        return copy;
    }

    static List<Long> without(List<Long> ids, long id) {
        List<Long> copy = new ArrayList<>(ids);
        copy.remove(Long.valueOf(id));
        return copy;
    }
}
