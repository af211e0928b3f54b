package dev.baton.core;

import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskStatus;
import dev.baton.core.state.KeyValueStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Read-only queries over the machine's store. Answers are as of the last applied entry; the
 * caller decides how fresh that must be (the server waits for a read index first unless a stale
 * read was asked for) and keeps writes out while a query runs.
 */
public final class TaskReader {
    private final Tables tables;
    /** The machine whose store this reads, for {@link #replay}; null for a bare store. */
    private final TaskMachine machine;

    /** A reader of a bare store: every query but {@link #replay}. */
    public TaskReader(KeyValueStore store) {
        this(store, null);
    }

    TaskReader(KeyValueStore store, TaskMachine machine) {
        this.tables = new Tables(store);
        this.machine = machine;
    }

    /**
     * The first answer to {@code command} sent with Idempotency-Key {@code key}, when that key
     * is remembered for that same request; else null (never seen, expired, or used for another
     * request).
     *
     * @throws IllegalStateException on a reader not made by {@link TaskMachine#reader()}
     */
    public Outcome replay(String key, Command command) {
        Check.state(machine != null, "replay needs the machine's reader (TaskMachine.reader())");
        return machine.replay(key, command, nowMs());
    }

    /** The machine's time, as the last applied entry left it. */
    public long nowMs() {
        return tables.meta(Tables.CLOCK, 0);
    }

    /** The task, or null. */
    public Task task(String queue, long id) {
        return tables.task(queue, id);
    }

    /** A task's history, oldest first, or null when the task does not exist. */
    public List<TaskEvent> history(String queue, long id) {
        if (tables.task(queue, id) == null) {
            return null;
        }
        List<TaskEvent> events = new ArrayList<>();
        String prefix = Keys.historyOf(queue, id);
        Iterator<Map.Entry<String, byte[]>> it = tables.store.scan(prefix, prefix + Keys.END);
        while (it.hasNext()) {
            events.add(Codec.decodeEvent(it.next().getValue()));
        }
        return events;
    }

    /** The agent's live session, or null. */
    public Session session(String agent) {
        return tables.session(agent);
    }

    /** Every live session, by agent name. */
    public List<Session> sessions() {
        List<Session> sessions = new ArrayList<>();
        Iterator<Map.Entry<String, byte[]>> it =
                tables.store.scan(Keys.SESSIONS, Keys.SESSIONS + Keys.END);
        while (it.hasNext()) {
            sessions.add(Codec.decodeSession(it.next().getValue()));
        }
        return sessions;
    }

    // ----- deadlines: what the leader watches -----

    /** When the first delayed task comes due, or {@link Long#MAX_VALUE}. */
    public long nextDelayedMs() {
        String first = tables.firstKey(Keys.DELAYED, Keys.DELAYED + Keys.END);
        return first == null ? Long.MAX_VALUE : Keys.delayedTime(first);
    }

    /** Up to {@code limit} sessions whose deadline is at or before {@code nowMs}, soonest first. */
    public List<Session> sessionsDueBy(long nowMs, int limit) {
        List<Session> due = new ArrayList<>();
        for (String key : tables.keys(Keys.SESSION_DEADLINES, Keys.sessionsDueEnd(nowMs),
                limit)) {
            due.add(tables.session(Keys.sessionDeadlineAgent(key)));
        }
        return due;
    }

    /** Up to {@code limit} in-progress tasks whose stall deadline is at or before nowMs. */
    public List<Task> stallsDueBy(long nowMs, int limit) {
        List<Task> due = new ArrayList<>();
        for (String key : tables.keys(Keys.STALLS, Keys.stallsDueEnd(nowMs), limit)) {
            due.add(tables.task(Keys.timedQueue(key), Keys.trailingId(key)));
        }
        return due;
    }

    /**
     * Whether a claim-next with these filters could take something now: what a waiting
     * claim-next checks (on local, possibly stale, state) before it proposes again.
     */
    public boolean hasClaimable(String queue, List<String> capabilities,
                                Map<String, String> labels) {
        String prefix = Keys.readyOf(queue);
        Iterator<Map.Entry<String, byte[]>> it = tables.store.scan(prefix, prefix + Keys.END);
        for (int scanned = 0; it.hasNext() && scanned < Limits.CLAIM_SCAN_MAX; scanned++) {
            Task t = tables.task(queue, Keys.trailingId(it.next().getKey()));
            if (ClaimRules.suits(t, capabilities, labels)
                    && ClaimRules.conflicts(tables, t).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Events of the entries after {@code index}, in log order.
     *
     * @param events       the events read, of {@code queue} only when it is not null
     * @param throughIndex the last log index read completely: the next read starts after it
     */
    public record EventBatch(List<Codec.StreamEvent> events, long throughIndex) {
    }

    /**
     * Up to about {@code limit} events of the entries after {@code index}, optionally of one
     * queue. An entry's events are never split across batches. At most
     * {@link Limits#LIST_SCAN_MAX} events are read, so a rare queue in a busy stream may come
     * back with no events but a later {@code throughIndex}.
     *
     * @return null when events after {@code index} were already dropped (410 gone)
     */
    public EventBatch eventsAfter(long index, String queue, int limit) {
        if (index < tables.meta(Tables.EVENTS_DROPPED_TO, 0)) {
            return null;
        }
        List<Codec.StreamEvent> events = new ArrayList<>();
        Iterator<Map.Entry<String, byte[]>> it =
                tables.store.scan(Keys.eventsAfter(index), Keys.EVENTS + Keys.END);
        long through = index;
        long current = -1;
        int scanned = 0;
        while (it.hasNext()) {
            Map.Entry<String, byte[]> e = it.next();
            long entryIndex = Keys.eventIndex(e.getKey());
            if (entryIndex != current) {
                // A new entry begins: the previous one was read completely.
                through = current == -1 ? through : current;
                if (events.size() >= limit || scanned >= Limits.LIST_SCAN_MAX) {
                    return new EventBatch(events, through);
                }
                current = entryIndex;
            }
            scanned++;
            Codec.StreamEvent event = Codec.decodeStreamEvent(e.getValue());
            if (queue == null || queue.equals(event.queue())) {
                events.add(event);
            }
        }
        return new EventBatch(events, Math.max(through, current));
    }

    /** The members recorded by membership commands, by id. */
    public List<Outcome.Member> members() {
        List<Outcome.Member> members = new ArrayList<>();
        Iterator<Map.Entry<String, byte[]>> it =
                tables.store.scan(Keys.MEMBERS, Keys.MEMBERS + Keys.END);
        while (it.hasNext()) {
            members.add(Codec.decodeMember(it.next().getValue()));
        }
        return members;
    }

    /** Every queue, by name. */
    public List<QueueSummary> queues() {
        List<QueueSummary> queues = new ArrayList<>();
        Iterator<Map.Entry<String, byte[]>> it =
                tables.store.scan(Keys.QUEUES, Keys.QUEUES + Keys.END);
        while (it.hasNext()) {
            queues.add(Codec.decodeQueue(it.next().getValue()));
        }
        return queues;
    }

    /**
     * Which tasks a list shows. Null or empty members match everything.
     *
     * @param labels every one of these must be among the task's labels
     */
    public record Filter(Set<TaskStatus> statuses, String owner, boolean readyOnly,
                         Map<String, String> labels) {
        public static final Filter ALL = new Filter(Set.of(), null, false, Map.of());

        boolean matches(Task t, long nowMs) {
            if (statuses != null && !statuses.isEmpty() && !statuses.contains(t.status())) {
                return false;
            }
            if (owner != null && !owner.equals(t.owner())) {
                return false;
            }
            if (readyOnly && !t.isReadyAt(nowMs)) {
                return false;
            }
            if (labels != null) {
                for (Map.Entry<String, String> e : labels.entrySet()) {
                    if (!Objects.equals(t.labels().get(e.getKey()), e.getValue())) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /** @param nextAfterId where the next page starts, or null when there is nothing after */
    public record Page(List<Task> tasks, Long nextAfterId) {
    }

    /**
     * A page of a queue's tasks in id order, starting after {@code afterId}. At most
     * {@link Limits#LIST_SCAN_MAX} tasks are read per page, so a page may hold fewer than
     * {@code limit} tasks and still name a {@code nextAfterId}.
     */
    public Page list(String queue, Filter filter, long afterId, int limit) {
        Check.state(limit >= 1, "a page holds at least one task");
        long now = nowMs();
        String prefix = Keys.tasksOf(queue);
        Iterator<Map.Entry<String, byte[]>> it =
                tables.store.scan(Keys.task(queue, afterId + 1), prefix + Keys.END);
        List<Task> page = new ArrayList<>();
        long lastSeen = afterId;
        int scanned = 0;
        while (it.hasNext()) {
            if (page.size() == limit || scanned == Limits.LIST_SCAN_MAX) {
                return new Page(page, lastSeen);
            }
            Task t = Codec.decodeTask(it.next().getValue());
            scanned++;
            lastSeen = t.id();
            if (filter.matches(t, now)) {
                page.add(t);
            }
        }
        return new Page(page, null);
    }
}
