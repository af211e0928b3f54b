package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskRef;
import dev.baton.core.model.TaskStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A deliberately naive model of the task machine, written from the API contract (API.md: Tasks,
 * Claims, Agents and liveness) and not from the machine's code, in the spirit of TigerBeetle's
 * auditor. It keeps plain objects in maps, scans everything on every question, and knows the
 * overlap of the simulation's few resource globs from a hand-written table rather than from
 * {@link ResourceGlobs}.
 *
 * <p>For each command it first predicts the answer (which refusal, which task ids, which tasks a
 * claim-next hands out and in what order), then checks the machine's outcome against the
 * prediction, and only then changes its own state, taking from the outcome just the values the
 * contract leaves to the machine: new task ids are checked, new fencing tokens must only be
 * larger than every earlier one. Refusals must change nothing, so the model does not change on
 * them. Session expiry is the one place where the model needs the machine's view (the renewal
 * count the leader saw): the simulation decides which sessions must expire, and the model checks
 * that they were live and past their deadline by its own clock.
 *
 * <p>Not thread-safe; one simulation run owns one model.
 */
final class ReferenceModel {
    /** The resource globs the simulation draws from. */
    static final List<String> GLOBS =
            List.of("src/**", "src/a.py", "docs/*.md", "docs/readme.md", "lib/**", "**/*.md");

    /**
     * Which pairs of {@link #GLOBS} some path matches both of, worked out by hand: {@code src/**}
     * meets {@code src/a.py} and ({@code src/x.md}) {@code **}{@code /*.md}; {@code docs/*.md}
     * meets {@code docs/readme.md}; {@code **}{@code /*.md} meets every glob but {@code src/a.py};
     * every glob meets itself.
     */
    private static final Set<String> OVERLAPS = Set.of(
            "src/**|src/a.py", "src/**|**/*.md", "docs/*.md|docs/readme.md",
            "docs/*.md|**/*.md", "docs/readme.md|**/*.md", "lib/**|**/*.md");

    /** The contract's default for {@code maxAttempts}. */
    private static final int MAX_ATTEMPTS_DEFAULT = 5;
    /** The contract's bound on one task's blockers. */
    private static final int BLOCKERS_MAX = 100;

    /** What the model knows about one task. */
    static final class ModelTask {
        final String queue;
        final long id;
        TaskStatus status = TaskStatus.PENDING;
        String owner;
        Long token;
        int priority;
        List<String> resources;
        List<String> requires;
        String key;
        int attempts;
        int maxAttempts;
        Long stallMs;
        Long notBeforeMs;
        Long lastActivityMs;
        /** Every blocker ever named; only the unfinished ones still block (see effective). */
        final Set<Long> blockers = new LinkedHashSet<>();

        ModelTask(String queue, long id) {
            this.queue = queue;
            this.id = id;
        }

        @Override
        public String toString() {
            return queue + "#" + id + " " + status + " owner=" + owner + " token=" + token;
        }
    }

    /** A live agent: its lease. An agent that is not live has no entry. */
    static final class ModelAgent {
        long ttlMs;
        long expiresAtMs;

        ModelAgent(long ttlMs, long expiresAtMs) {
            this.ttlMs = ttlMs;
            this.expiresAtMs = expiresAtMs;
        }
    }

    private final Map<String, TreeMap<Long, ModelTask>> queues = new TreeMap<>();
    private final Map<String, ModelAgent> agents = new TreeMap<>();
    private long lastToken;
    private long clockMs;

    // ----- what the simulation asks -----

    /** The machine's time must be the latest leader stamp, never one that went backwards. */
    void advanceClock(long leaderTimeMs) {
        clockMs = Math.max(clockMs, leaderTimeMs);
    }

    long clockMs() {
        return clockMs;
    }

    long lastToken() {
        return lastToken;
    }

    /** The id the queue's next task gets: ids count from 1 and are never reused. */
    long nextId(String queue) {
        TreeMap<Long, ModelTask> q = queues.get(queue);
        return q == null ? 1 : q.size() + 1;
    }

    List<TaskRef> withStatus(TaskStatus status) {
        List<TaskRef> refs = new ArrayList<>();
        for (TreeMap<Long, ModelTask> q : queues.values()) {
            for (ModelTask t : q.values()) {
                if (t.status == status) {
                    refs.add(new TaskRef(t.queue, t.id));
                }
            }
        }
        return refs;
    }

    /** Pending tasks whose notBefore is still ahead: what a claim must find not ready. */
    List<TaskRef> notYetDue() {
        List<TaskRef> refs = new ArrayList<>();
        for (TreeMap<Long, ModelTask> q : queues.values()) {
            for (ModelTask t : q.values()) {
                if (t.status == TaskStatus.PENDING && !dueNow(t)) {
                    refs.add(new TaskRef(t.queue, t.id));
                }
            }
        }
        return refs;
    }

    // ----- applying a command -----

    /** Predicts the outcome of a freshly applied command, checks it, and follows it. */
    void apply(Command command, Outcome outcome, String where) {
        if (command instanceof Command.CreateTask c) {
            create(c, outcome, where);
        } else if (command instanceof Command.UpdateTask c) {
            update(c, outcome, where);
        } else if (command instanceof Command.DeleteTask c) {
            delete(c, outcome, where);
        } else if (command instanceof Command.Tick) {
            expect(outcome, Outcome.Ticked.class, where);
        } else if (command instanceof Command.ClaimTask c) {
            claim(c, outcome, where);
        } else if (command instanceof Command.ClaimNext c) {
            claimNext(c, outcome, where);
        } else if (command instanceof Command.ReportProgress c) {
            ModelTask t = owned(c.queue(), c.id(), c.token(), outcome, where);
            if (t != null) {
                expect(outcome, Outcome.TaskUpdated.class, where);
                renew(t.owner, where);
                t.lastActivityMs = clockMs;
            }
        } else if (command instanceof Command.CompleteTask c) {
            ModelTask t = owned(c.queue(), c.id(), c.token(), outcome, where);
            if (t != null) {
                expect(outcome, Outcome.TaskUpdated.class, where);
                renew(t.owner, where);
                endClaim(t, TaskStatus.COMPLETED);
            }
        } else if (command instanceof Command.FailTask c) {
            failTask(c, outcome, where);
        } else if (command instanceof Command.ReleaseTask c) {
            ModelTask t = owned(c.queue(), c.id(), c.token(), outcome, where);
            if (t != null) {
                expect(outcome, Outcome.TaskUpdated.class, where);
                renew(t.owner, where);
                endClaim(t, TaskStatus.PENDING);
            }
        } else if (command instanceof Command.HandOff c) {
            handOff(c, outcome, where);
        } else if (command instanceof Command.Pulse c) {
            Outcome.Pulsed pulsed = expect(outcome, Outcome.Pulsed.class, where);
            assertEquals(!agents.containsKey(c.agent()), pulsed.revived(), where + ": revived");
            agents.put(c.agent(), new ModelAgent(c.ttlMs(), clockMs + c.ttlMs()));
        } else if (command instanceof Command.LeaveAgent c) {
            leave(c, outcome, where);
        } else if (command instanceof Command.ExpireSessions) {
            expire(expect(outcome, Outcome.SessionsExpired.class, where), where);
        } else if (command instanceof Command.StallTasks c) {
            stall(c, outcome, where);
        } else {
            fail(where + ": the model does not know " + command);
        }
    }

    private void create(Command.CreateTask c, Outcome outcome, String where) {
        if (c.key() != null) {
            ModelTask holder = liveKeyHolder(c.queue(), c.key());
            if (holder != null) {
                // A key already taken answers with the task holding it, and creates nothing.
                Outcome.TaskFound found = expect(outcome, Outcome.TaskFound.class, where);
                assertEquals(holder.id, found.task().id(), where + ": the key's holder");
                return;
            }
        }
        for (long id : c.blockedBy()) {
            if (task(c.queue(), id) == null) {
                expectRejected(outcome, Rejection.INVALID_ARGUMENT, where);
                return;
            }
        }
        Outcome.TaskCreated created = expect(outcome, Outcome.TaskCreated.class, where);
        long id = nextId(c.queue());
        assertEquals(id, created.task().id(), where + ": ids are given in creation order");
        ModelTask t = new ModelTask(c.queue(), id);
        t.priority = c.priority();
        t.resources = c.resources();
        t.requires = c.requires();
        t.key = c.key();
        t.maxAttempts = c.maxAttempts() == null ? MAX_ATTEMPTS_DEFAULT : c.maxAttempts();
        t.stallMs = c.stallMs();
        t.notBeforeMs = c.delayMs() != null ? Long.valueOf(clockMs + c.delayMs())
                : c.notBeforeMs();
        for (long blockerId : c.blockedBy()) {
            if (!finished(task(c.queue(), blockerId))) {
                t.blockers.add(blockerId);
            }
        }
        queues.computeIfAbsent(c.queue(), q -> new TreeMap<>()).put(id, t);
    }

    private void update(Command.UpdateTask c, Outcome outcome, String where) {
        ModelTask t = task(c.queue(), c.id());
        if (t == null) {
            expectRejected(outcome, Rejection.NOT_FOUND, where);
            return;
        }
        if (t.status == TaskStatus.DELETED) {
            expectRejected(outcome, Rejection.INVALID_ARGUMENT, where);
            return;
        }
        Set<Long> waitsOn = effectiveBlockers(t);
        Set<Long> add = new LinkedHashSet<>(c.addBlockedBy());
        add.removeAll(waitsOn);
        List<Long> added = new ArrayList<>();
        for (long blockerId : add) {
            ModelTask blocker = task(c.queue(), blockerId);
            if (blocker == null) {
                expectRejected(outcome, Rejection.INVALID_ARGUMENT, where);
                return;
            }
            if (finished(blocker)) {
                continue; // A finished blocker has nothing left to wait for.
            }
            if (waitsOn(blocker, t.id)) {
                expectRejected(outcome, Rejection.CYCLE, where);
                return;
            }
            added.add(blockerId);
        }
        Set<Long> removed = new LinkedHashSet<>(c.removeBlockedBy());
        removed.retainAll(waitsOn);
        if (waitsOn.size() + added.size() - removed.size() > BLOCKERS_MAX) {
            expectRejected(outcome, Rejection.INVALID_ARGUMENT, where);
            return;
        }
        expect(outcome, Outcome.TaskUpdated.class, where);
        if (c.priority() != null) {
            t.priority = c.priority();
        }
        if (c.resources() != null) {
            t.resources = c.resources();
        }
        if (c.maxAttempts() != null) {
            t.maxAttempts = c.maxAttempts();
        }
        if (c.clearNotBefore()) {
            t.notBeforeMs = null;
        } else if (c.notBeforeMs() != null) {
            t.notBeforeMs = c.notBeforeMs();
        }
        t.blockers.removeAll(removed);
        t.blockers.addAll(added);
    }

    private void delete(Command.DeleteTask c, Outcome outcome, String where) {
        ModelTask t = task(c.queue(), c.id());
        if (t == null) {
            expectRejected(outcome, Rejection.NOT_FOUND, where);
            return;
        }
        expect(outcome, Outcome.TaskDeleted.class, where);
        // Deleting ends a claim without the owner asking: its lease is not renewed.
        t.status = TaskStatus.DELETED;
        t.owner = null;
        t.token = null;
        t.lastActivityMs = null;
        t.blockers.clear();
    }

    private void claim(Command.ClaimTask c, Outcome outcome, String where) {
        ModelTask t = task(c.queue(), c.id());
        if (t == null) {
            expectRejected(outcome, Rejection.NOT_FOUND, where);
            return;
        }
        if (t.status == TaskStatus.IN_PROGRESS && c.agent().equals(t.owner)) {
            Outcome.Claimed again = expect(outcome, Outcome.Claimed.class, where);
            assertTrue(again.reclaimed(), where + ": a claim by the owner is a reclaim");
            assertEquals(t.token, again.token(), where + ": a reclaim keeps the token");
            // A claim for the task is activity: it renews the lease and restarts stallMs.
            renew(c.agent(), where);
            t.lastActivityMs = clockMs;
            return;
        }
        Rejection refusal = t.status == TaskStatus.IN_PROGRESS ? Rejection.ALREADY_CLAIMED
                : finished(t) || t.status == TaskStatus.FAILED ? Rejection.NOT_CLAIMABLE
                : !effectiveBlockers(t).isEmpty() ? Rejection.BLOCKED
                : !dueNow(t) ? Rejection.NOT_READY
                : conflicts(t, Set.of()) ? Rejection.RESOURCE_CONFLICT
                : null;
        if (refusal != null) {
            expectRejected(outcome, refusal, where);
            return;
        }
        Outcome.Claimed claimed = expect(outcome, Outcome.Claimed.class, where);
        assertFalse(claimed.reclaimed(), where + ": a new claim is no reclaim");
        grant(t, c.agent(), claimed, c.sessionTtlMs(), where);
    }

    private void claimNext(Command.ClaimNext c, Outcome outcome, String where) {
        // Best first: highest priority, then lowest id, skipping what the agent cannot do and
        // what conflicts with a task in progress, including one granted earlier in this call.
        List<ModelTask> candidates = new ArrayList<>();
        for (ModelTask t : queues.getOrDefault(c.queue(), new TreeMap<>()).values()) {
            if (ready(t) && c.capabilities().containsAll(t.requires)) {
                candidates.add(t);
            }
        }
        candidates.sort(Comparator.comparingInt((ModelTask t) -> -t.priority)
                .thenComparingLong(t -> t.id));
        List<Long> predicted = new ArrayList<>();
        Set<Long> taken = new HashSet<>();
        for (ModelTask t : candidates) {
            if (predicted.size() < c.count() && !conflicts(t, taken)) {
                predicted.add(t.id);
                taken.add(t.id);
            }
        }
        Outcome.ClaimedMany many = expect(outcome, Outcome.ClaimedMany.class, where);
        List<Long> granted = many.claims().stream().map(g -> g.task().id()).toList();
        assertEquals(predicted, granted, where + ": claim-next chose other tasks");
        for (Outcome.Claimed g : many.claims()) {
            assertFalse(g.reclaimed(), where + ": claim-next grants are new claims");
            grant(task(c.queue(), g.task().id()), c.agent(), g, c.sessionTtlMs(), where);
        }
    }

    private void failTask(Command.FailTask c, Outcome outcome, String where) {
        ModelTask t = owned(c.queue(), c.id(), c.token(), outcome, where);
        if (t == null) {
            return;
        }
        expect(outcome, Outcome.TaskUpdated.class, where);
        renew(t.owner, where);
        t.attempts++;
        boolean over = !c.retry() || t.attempts >= t.maxAttempts;
        endClaim(t, over ? TaskStatus.FAILED : TaskStatus.PENDING);
        if (!over && c.retryDelayMs() != null && c.retryDelayMs() > 0) {
            t.notBeforeMs = clockMs + c.retryDelayMs();
        }
    }

    private void handOff(Command.HandOff c, Outcome outcome, String where) {
        ModelTask t = owned(c.queue(), c.id(), c.token(), outcome, where);
        if (t == null) {
            return;
        }
        if (!agents.containsKey(c.to())) {
            expectRejected(outcome, Rejection.AGENT_NOT_LIVE, where);
            return;
        }
        Outcome.Claimed claimed = expect(outcome, Outcome.Claimed.class, where);
        assertFalse(claimed.reclaimed(), where + ": a handoff is a new claim");
        // The giver acted, so its lease is renewed; the receiver did not, so its lease is not.
        renew(t.owner, where);
        newToken(claimed.token(), where);
        t.owner = c.to();
        t.token = claimed.token();
        t.lastActivityMs = clockMs;
    }

    private void leave(Command.LeaveAgent c, Outcome outcome, String where) {
        if (!agents.containsKey(c.agent())) {
            expectRejected(outcome, Rejection.NOT_FOUND, where);
            return;
        }
        expect(outcome, Outcome.AgentLeft.class, where);
        for (ModelTask t : heldBy(c.agent())) {
            endClaim(t, TaskStatus.PENDING); // Leaving is no failed attempt.
        }
        agents.remove(c.agent());
    }

    private void expire(Outcome.SessionsExpired expired, String where) {
        for (String agent : expired.agents()) {
            ModelAgent a = agents.get(agent);
            assertNotNull(a, where + ": expired " + agent + ", which was not live");
            assertTrue(a.expiresAtMs <= clockMs, where + ": expired " + agent
                    + " before its deadline " + a.expiresAtMs);
            for (ModelTask t : heldBy(agent)) {
                attemptEnded(t);
            }
            agents.remove(agent);
        }
    }

    private void stall(Command.StallTasks c, Outcome outcome, String where) {
        List<TaskRef> predicted = new ArrayList<>();
        for (Command.TaskDue due : c.tasks()) {
            ModelTask t = task(due.queue(), due.id());
            TaskRef ref = new TaskRef(due.queue(), due.id());
            if (t != null && t.status == TaskStatus.IN_PROGRESS && t.token == due.token()
                    && t.stallMs != null && t.lastActivityMs + t.stallMs <= clockMs
                    && !predicted.contains(ref)) {
                predicted.add(ref);
            }
        }
        Outcome.TasksStalled stalled = expect(outcome, Outcome.TasksStalled.class, where);
        assertEquals(predicted, stalled.tasks(), where + ": stalled tasks");
        for (TaskRef ref : predicted) {
            // The owner is alive but stuck: it keeps its session, unrenewed, and loses the task.
            attemptEnded(task(ref.queue(), ref.id()));
        }
    }

    // ----- rules -----

    /** The task if {@code token} is its current claim; else checks the refusal and is null. */
    private ModelTask owned(String queue, long id, long token, Outcome outcome, String where) {
        ModelTask t = task(queue, id);
        if (t == null) {
            expectRejected(outcome, Rejection.NOT_FOUND, where);
            return null;
        }
        if (t.status != TaskStatus.IN_PROGRESS || t.token != token) {
            expectRejected(outcome, Rejection.STALE_TOKEN, where);
            return null;
        }
        return t;
    }

    private void grant(ModelTask t, String agent, Outcome.Claimed claimed, long sessionTtlMs,
                       String where) {
        assertEquals(t.id, claimed.task().id(), where);
        newToken(claimed.token(), where);
        t.status = TaskStatus.IN_PROGRESS;
        t.owner = agent;
        t.token = claimed.token();
        t.lastActivityMs = clockMs;
        ModelAgent a = agents.get(agent);
        if (a == null) {
            // A claim by an agent with no live session starts one with the TTL it names.
            agents.put(agent, new ModelAgent(sessionTtlMs, clockMs + sessionTtlMs));
        } else {
            a.expiresAtMs = clockMs + a.ttlMs;
        }
    }

    /** Fencing tokens: each new one is larger than every token granted before it. */
    private void newToken(long token, String where) {
        assertTrue(token > lastToken, where + ": token " + token + " is not above " + lastToken);
        lastToken = token;
    }

    private void renew(String agent, String where) {
        ModelAgent a = agents.get(agent);
        assertNotNull(a, where + ": " + agent + " holds a task without being live");
        a.expiresAtMs = clockMs + a.ttlMs;
    }

    /** An expiry or stall counts as an attempt: the task fails once none remain. */
    private void attemptEnded(ModelTask t) {
        t.attempts++;
        endClaim(t, t.attempts >= t.maxAttempts ? TaskStatus.FAILED : TaskStatus.PENDING);
    }

    private static void endClaim(ModelTask t, TaskStatus status) {
        t.status = status;
        t.owner = null;
        t.token = null;
        t.lastActivityMs = null;
    }

    private List<ModelTask> heldBy(String agent) {
        List<ModelTask> held = new ArrayList<>();
        for (TreeMap<Long, ModelTask> q : queues.values()) {
            for (ModelTask t : q.values()) {
                if (agent.equals(t.owner)) {
                    held.add(t);
                }
            }
        }
        return held;
    }

    private ModelTask task(String queue, long id) {
        TreeMap<Long, ModelTask> q = queues.get(queue);
        return q == null ? null : q.get(id);
    }

    private ModelTask liveKeyHolder(String queue, String key) {
        for (ModelTask t : queues.getOrDefault(queue, new TreeMap<>()).values()) {
            if (key.equals(t.key) && t.status != TaskStatus.DELETED) {
                return t;
            }
        }
        return null;
    }

    /** Completed and deleted tasks block nobody; a failed task still does. */
    private static boolean finished(ModelTask t) {
        return t.status == TaskStatus.COMPLETED || t.status == TaskStatus.DELETED;
    }

    private Set<Long> effectiveBlockers(ModelTask t) {
        Set<Long> waiting = new TreeSet<>();
        for (long id : t.blockers) {
            if (!finished(task(t.queue, id))) {
                waiting.add(id);
            }
        }
        return waiting;
    }

    /** Whether {@code from} is, or waits (transitively) on, the task {@code targetId}. */
    private boolean waitsOn(ModelTask from, long targetId) {
        Deque<ModelTask> todo = new ArrayDeque<>(List.of(from));
        Set<Long> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            ModelTask t = todo.removeFirst();
            if (t.id == targetId) {
                return true;
            }
            if (seen.add(t.id)) {
                effectiveBlockers(t).forEach(id -> todo.addLast(task(t.queue, id)));
            }
        }
        return false;
    }

    private boolean dueNow(ModelTask t) {
        return t.notBeforeMs == null || t.notBeforeMs <= clockMs;
    }

    private boolean ready(ModelTask t) {
        return t.status == TaskStatus.PENDING && effectiveBlockers(t).isEmpty() && dueNow(t);
    }

    /** Whether t writes a path that a task in progress (or one of {@code alsoBusy}) writes. */
    private boolean conflicts(ModelTask t, Set<Long> alsoBusy) {
        for (ModelTask other : queues.get(t.queue).values()) {
            boolean busy = other.status == TaskStatus.IN_PROGRESS || alsoBusy.contains(other.id);
            if (busy && other.id != t.id && overlap(t.resources, other.resources)) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlap(List<String> a, List<String> b) {
        for (String x : a) {
            for (String y : b) {
                if (x.equals(y) || OVERLAPS.contains(x + "|" + y)
                        || OVERLAPS.contains(y + "|" + x)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ----- checking the machine -----

    /**
     * The machine agrees with the model on every task (status, owner, token, attempts, priority,
     * notBefore, what it still waits on) and on every live agent (lease and held claims).
     */
    void assertMatches(Map<String, List<Task>> tasksByQueue, List<Session> sessions,
                       String where) {
        assertEquals(queues.keySet(), tasksByQueue.keySet(), where + ": queues");
        for (Map.Entry<String, List<Task>> e : tasksByQueue.entrySet()) {
            TreeMap<Long, ModelTask> model = queues.get(e.getKey());
            assertEquals(model.size(), e.getValue().size(), where + ": tasks of " + e.getKey());
            for (Task actual : e.getValue()) {
                ModelTask t = model.get(actual.id());
                // Messages are built only on failure: this runs for every task after every entry.
                Supplier<String> at = () -> where + ": task " + actual.ref() + " (model: "
                        + t + ")";
                assertNotNull(t, at);
                assertEquals(t.status, actual.status(), () -> at.get() + ": status");
                assertEquals(t.owner, actual.owner(), () -> at.get() + ": owner");
                assertEquals(t.token, actual.token(), () -> at.get() + ": token");
                assertEquals(t.attempts, actual.attempts(), () -> at.get() + ": attempts");
                assertEquals(t.maxAttempts, actual.maxAttempts(), () -> at.get() + ": max");
                assertEquals(t.resources, actual.resources(), () -> at.get() + ": resources");
                assertEquals(t.priority, actual.priority(), () -> at.get() + ": priority");
                assertEquals(t.notBeforeMs, actual.notBeforeMs(), () -> at.get() + ": notBefore");
                assertEquals(t.lastActivityMs, actual.lastActivityMs(),
                        () -> at.get() + ": lastActivity");
                assertEquals(effectiveBlockers(t), new TreeSet<>(actual.blockedBy()),
                        () -> at.get() + ": blockedBy");
            }
        }
        Map<String, Session> live = new TreeMap<>();
        sessions.forEach(s -> live.put(s.agent(), s));
        assertEquals(agents.keySet(), live.keySet(), where + ": live agents");
        for (Map.Entry<String, ModelAgent> e : agents.entrySet()) {
            Session s = live.get(e.getKey());
            Supplier<String> at = () -> where + ": session of " + e.getKey();
            assertEquals(e.getValue().ttlMs, s.ttlMs(), () -> at.get() + ": ttl");
            assertEquals(e.getValue().expiresAtMs, s.expiresAtMs(), () -> at.get() + ": expiresAt");
            Set<String> held = new TreeSet<>();
            heldBy(e.getKey()).forEach(t -> held.add(t.queue + "#" + t.id + "@" + t.token));
            Set<String> listed = new TreeSet<>();
            s.claims().forEach(c -> listed.add(c.queue() + "#" + c.id() + "@" + c.token()));
            assertEquals(held, listed, () -> at.get() + ": claims");
        }
    }

    // ----- outcome checks -----

    private static <T extends Outcome> T expect(Outcome outcome, Class<T> type, String where) {
        if (!type.isInstance(outcome)) {
            fail(where + ": the model expected " + type.getSimpleName() + ", the machine said "
                    + outcome);
        }
        return type.cast(outcome);
    }

    private static void expectRejected(Outcome outcome, Rejection code, String where) {
        if (!(outcome instanceof Outcome.Rejected r) || r.code() != code) {
            fail(where + ": the model expected " + code.wireName() + ", the machine said "
                    + outcome);
        }
    }
}
