package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskRef;
import dev.baton.core.model.TaskStatus;
import dev.baton.core.state.TreeMapStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A seeded simulation in the manner of FoundationDB's simulator and TigerBeetle's VOPR: a random
 * but plausible log of claims, pulses, expiries, stalls, task edits, snapshot installs and
 * duplicated or reordered client retries is applied to three replicas of the machine and to a
 * naive {@link ReferenceModel}, and every invariant is checked after every entry.
 *
 * <p>The seed is printed at the start (in surefire's output file) and is part of every failure
 * message. {@code -Dseed=N} replays all runs of a seed; each run's message also names the seed
 * that replays that run alone. {@code -Dsim.runs} and {@code -Dsim.steps} (default 20 runs of
 * 400 entries, a few seconds) make longer soaks, for example
 * {@code mvn -pl core test -Dtest=SimulationTest -Dsim.runs=500 -Dsim.steps=2000}.
 *
 * <p>What a run does: each entry is a command with the leader's time stamp (which moves forward
 * by up to 1.5 s, and sometimes back by up to 0.5 s when a "new leader" with a slower clock takes
 * over) and, for client commands, sometimes an Idempotency-Key. A keyed entry is often retried
 * later, right after or several entries on, so retries arrive duplicated and out of order.
 * Expiries and stall releases are built the way the leader builds them, from the deadline
 * indexes, and some reach the log late or with a stale renewal count or token, so the machine
 * must tell a stale proposal from a fresh one. Now and then a replica restarts, either over its
 * own store or from a byte copy of another replica's store (a snapshot install).
 */
class SimulationTest {
    private static final int RUNS_DEFAULT = 20;
    private static final int STEPS_DEFAULT = 400;
    private static final int REPLICAS = 3;
    private static final List<String> QUEUES = List.of("main", "side");
    private static final List<String> AGENTS =
            List.of("agent-a", "agent-b", "agent-c", "agent-d", "agent-e", "agent-f");
    private static final List<String> DEDUPE_KEYS = List.of("k1", "k2", "k3");
    private static final long START_MS = 1_700_000_000_000L;
    /** The contract's default idempotency table size; half the runs use a tiny one. */
    private static final long IDEMPOTENCY_KEYS_MAX = 1_000_000;
    /** The contract keeps an Idempotency-Key for 24 hours; after that it may be forgotten. */
    private static final long KEY_KEPT_MS = 24L * 3600 * 1000;

    @Test
    void randomClaimsPulsesExpiriesAndRetriesKeepEveryInvariant() {
        long seed = Long.getLong("seed", System.nanoTime());
        int runs = Integer.getInteger("sim.runs", RUNS_DEFAULT);
        int steps = Integer.getInteger("sim.steps", STEPS_DEFAULT);
        System.out.println("SimulationTest seed=" + seed + " runs=" + runs + " steps=" + steps
                + " (replay: -Dseed=" + seed + " -Dsim.runs=" + runs + " -Dsim.steps=" + steps
                + ")");
        Map<String, Integer> tally = new TreeMap<>();
        for (int run = 0; run < runs; run++) {
            new Run(seed, run, steps, tally).run();
        }
        System.out.println("SimulationTest tally: " + tally);
        if ((long) runs * steps >= (long) RUNS_DEFAULT * STEPS_DEFAULT) {
            // A workload that never reaches a case checks nothing about it: the defaults must.
            for (String kind : List.of("TaskCreated", "TaskFound", "Claimed", "ClaimedMany",
                    "TasksStalled", "SessionsExpired", "AgentLeft", "TaskDeleted",
                    "stale_token", "already_claimed", "not_claimable", "blocked", "not_ready",
                    "resource_conflict", "cycle", "agent_not_live", "not_found",
                    "agent expired", "task stalled", "stale expiry left alone",
                    "retry answered as the first", "key reused for another request",
                    "retry applied afresh", "snapshot install", "restart",
                    "leader clock went backwards", "leader time jumped a day",
                    "handoff granted", "reclaim")) {
                assertTrue(tally.containsKey(kind),
                        "seed " + seed + " never produced " + kind + "; tally " + tally);
            }
        }
    }

    /** One seeded run: its replicas, its model, its log and what it remembers of the log. */
    private static final class Run {
        private final long seed;
        private final int run;
        private final long runSeed;
        private final int steps;
        private final Map<String, Integer> tally;
        private final SplittableRandom random;
        private final long idempotencyKeysMax;
        private final TreeMapStore[] stores = new TreeMapStore[REPLICAS];
        private final TaskMachine[] machines = new TaskMachine[REPLICAS];
        private final ReferenceModel model = new ReferenceModel();
        /** Client retries and leader proposals waiting for their turn in the log. */
        private final List<Planned> later = new ArrayList<>();
        /** The keys the machine must still remember, with their first answer. */
        private final LinkedHashMap<String, Remembered> remembered = new LinkedHashMap<>();
        /** The machine's idempotency records: entry index to the key it remembered. */
        private final TreeMap<Long, String> records = new TreeMap<>();
        private final Set<String> keysSeen = new HashSet<>();
        private long leaderTimeMs = START_MS;
        private long index;
        private int step;
        private long lastClockMs;
        private long highestToken;
        private int serial;
        private String where = "";

        /** An entry to propose at {@code dueStep} or later. */
        private record Planned(int dueStep, String key, Command command) {
        }

        /** What a keyed request asked the first time, its answer's bytes, when, in which entry. */
        private record Remembered(Command command, byte[] outcome, long atMs, long entry) {
        }

        Run(long seed, int run, int steps, Map<String, Integer> tally) {
            this.seed = seed;
            this.run = run;
            // Run 0 uses the seed itself, so -Dseed=<a run's seed> -Dsim.runs=1 replays that run.
            // The others take a mixed seed: a stride of SplittableRandom's own gamma (as before)
            // made run k's stream run 0's shifted by k draws, so the 20 runs drew nearly the
            // same numbers and a rare event (p = 0.003 a step) could miss them all.
            this.runSeed = run == 0 ? seed : new SplittableRandom(seed + run).nextLong();
            this.steps = steps;
            this.tally = tally;
            this.random = new SplittableRandom(runSeed);
            // A tiny table makes the oldest keys drop, so that a late retry is applied afresh.
            this.idempotencyKeysMax = random.nextBoolean() ? IDEMPOTENCY_KEYS_MAX
                    : between(3, 12);
            for (int i = 0; i < REPLICAS; i++) {
                stores[i] = new TreeMapStore();
                machines[i] = new TaskMachine(stores[i], idempotencyKeysMax);
            }
        }

        void run() {
            for (step = 1; step <= steps; step++) {
                advanceLeaderClock();
                Planned planned = plan();
                Entry entry = new Entry(leaderTimeMs, planned.key(), planned.command());
                index++;
                where = "[seed " + seed + ", run " + run + " (alone: -Dseed=" + runSeed
                        + " -Dsim.runs=1 -Dsim.steps=" + steps + "), step " + step + "] "
                        + entry;
                applyEverywhere(entry);
                maybeRestart();
                checkInvariants();
            }
        }

        // ----- the log -----

        private void advanceLeaderClock() {
            if (chance(0.04)) {
                // A new leader whose clock is behind the old one's: the machine must not follow.
                leaderTimeMs -= between(1, 500);
                count("leader clock went backwards");
            } else if (chance(0.003)) {
                // A cluster down for a day: every lease lapses, every delay comes due at once,
                // and the Idempotency-Keys of yesterday may be forgotten.
                leaderTimeMs += KEY_KEPT_MS + between(1, 600_000);
                count("leader time jumped a day");
            } else {
                leaderTimeMs += between(0, 1500);
            }
        }

        private Planned plan() {
            for (Iterator<Planned> it = later.iterator(); it.hasNext(); ) {
                Planned p = it.next();
                if (p.dueStep() <= step) {
                    it.remove();
                    return p;
                }
            }
            if (!remembered.isEmpty() && chance(0.02)) {
                // A client bug: a key reused for a different request must be refused.
                List<String> keys = new ArrayList<>(remembered.keySet());
                return new Planned(step, pick(keys), new Command.Tick());
            }
            int roll = random.nextInt(100);
            Command c;
            if (roll < 14) {
                c = create();
            } else if (roll < 26) {
                c = claimTask();
            } else if (roll < 33) {
                c = new Command.ClaimNext(queue(), pick(AGENTS), (int) between(1, 3),
                        chance(0.3) ? List.of("gpu") : List.of(), new TreeMap<>(), ttl());
            } else if (roll < 41) {
                TaskRef t = ownedTarget();
                c = new Command.CompleteTask(t.queue(), t.id(), tokenFor(t), "done");
            } else if (roll < 46) {
                TaskRef t = ownedTarget();
                c = new Command.FailTask(t.queue(), t.id(), tokenFor(t), "broke", chance(0.8),
                        chance(0.3) ? Long.valueOf(between(0, 2000)) : null);
            } else if (roll < 50) {
                TaskRef t = ownedTarget();
                c = new Command.ReleaseTask(t.queue(), t.id(), tokenFor(t));
            } else if (roll < 55) {
                TaskRef t = ownedTarget();
                c = new Command.ReportProgress(t.queue(), t.id(), tokenFor(t), "working",
                        chance(0.5) ? Integer.valueOf((int) between(0, 100)) : null);
            } else if (roll < 59) {
                TaskRef t = ownedTarget();
                c = new Command.HandOff(t.queue(), t.id(), tokenFor(t), pick(AGENTS), "yours");
            } else if (roll < 71) {
                c = new Command.Pulse(pick(AGENTS), ttl());
            } else if (roll < 73) {
                c = new Command.LeaveAgent(pick(AGENTS));
            } else if (roll < 76) {
                String q = queue();
                c = new Command.DeleteTask(q, anyId(q));
            } else if (roll < 81) {
                c = update();
            } else if (roll < 84) {
                return new Planned(step, null, new Command.Tick());
            } else if (roll < 93) {
                return leaderProposal(expireSessions());
            } else {
                return leaderProposal(stallTasks());
            }
            return clientRequest(c);
        }

        /** A client's request, sometimes keyed and then retried: right after, or much later. */
        private Planned clientRequest(Command c) {
            if (!chance(0.3)) {
                return new Planned(step, null, c);
            }
            String key = "idem-" + (++serial);
            if (chance(0.7)) {
                later.add(new Planned(step + (int) between(1, 10), key, c));
                if (chance(0.25)) {
                    later.add(new Planned(step + (int) between(1, 10), key, c));
                }
            }
            return new Planned(step, key, c);
        }

        /** The leader's proposal reaches the log now, or a few entries later (then stale). */
        private Planned leaderProposal(Command c) {
            if (chance(0.5)) {
                return new Planned(step, null, c);
            }
            later.add(new Planned(step + (int) between(1, 4), null, c));
            return new Planned(step, null, new Command.Tick());
        }

        private Command create() {
            String q = queue();
            long next = model.nextId(q);
            List<Long> blockedBy = new ArrayList<>();
            if (next > 1 && chance(0.3)) {
                for (long n = between(1, 2); n > 0; n--) {
                    blockedBy.add(between(1, next - 1));
                }
            }
            if (chance(0.03)) {
                blockedBy.add(next + 3); // Unknown: the create must be refused.
            }
            List<String> resources = new ArrayList<>();
            if (chance(0.5)) {
                resources.add(pick(ReferenceModel.GLOBS));
                String second = pick(ReferenceModel.GLOBS);
                if (chance(0.3) && !resources.contains(second)) {
                    resources.add(second);
                }
            }
            Long delayMs = null;
            Long notBeforeMs = null;
            if (chance(0.2)) {
                delayMs = between(0, 8000);
            } else if (chance(0.05)) {
                notBeforeMs = leaderTimeMs + between(-1000, 3000);
            }
            return new Command.CreateTask(q, "task " + (++serial), null, null,
                    (int) between(-1, 2), blockedBy, resources,
                    chance(0.15) ? List.of("gpu") : List.of(), new TreeMap<>(),
                    chance(0.1) ? pick(DEDUPE_KEYS) : null,
                    chance(0.6) ? Integer.valueOf((int) between(1, 3)) : null,
                    chance(0.25) ? Long.valueOf(between(1000, 4000)) : null, notBeforeMs,
                    delayMs);
        }

        private Command claimTask() {
            List<TaskRef> busy = model.withStatus(TaskStatus.IN_PROGRESS);
            if (!busy.isEmpty() && chance(0.1)) {
                // Often its owner again (a reclaim), else a rival.
                TaskRef t = pick(busy);
                String owner = reader().task(t.queue(), t.id()).owner();
                return new Command.ClaimTask(t.queue(), t.id(),
                        chance(0.6) ? owner : pick(AGENTS), ttl());
            }
            List<TaskRef> early = model.notYetDue();
            if (!early.isEmpty() && chance(0.15)) {
                TaskRef t = pick(early);
                return new Command.ClaimTask(t.queue(), t.id(), pick(AGENTS), ttl());
            }
            List<TaskRef> pending = model.withStatus(TaskStatus.PENDING);
            if (!pending.isEmpty() && chance(0.6)) {
                TaskRef t = pick(pending);
                return new Command.ClaimTask(t.queue(), t.id(), pick(AGENTS), ttl());
            }
            String q = queue();
            return new Command.ClaimTask(q, anyId(q), pick(AGENTS), ttl());
        }

        private Command update() {
            String q = queue();
            List<Long> add = new ArrayList<>();
            List<Long> remove = new ArrayList<>();
            if (chance(0.5)) {
                add.add(anyId(q));
                if (chance(0.2)) {
                    add.add(anyId(q));
                }
            }
            if (chance(0.15)) {
                remove.add(anyId(q));
            }
            boolean clear = chance(0.1);
            Long notBeforeMs = !clear && chance(0.05) ? leaderTimeMs + between(0, 3000) : null;
            // New resources change what conflicts with the task, even while it is in progress.
            List<String> resources = null;
            if (chance(0.1)) {
                resources = chance(0.3) ? List.of() : List.of(pick(ReferenceModel.GLOBS));
            }
            return new Command.UpdateTask(q, anyId(q), null, null, null,
                    chance(0.3) ? Integer.valueOf((int) between(-1, 2)) : null, null, resources,
                    chance(0.1) ? Integer.valueOf((int) between(1, 3)) : null, notBeforeMs,
                    clear, add, remove);
        }

        /** As the leader builds it from the deadline index, now and then with a wrong count. */
        private Command expireSessions() {
            TaskReader r = reader();
            List<Command.SessionDue> dues = new ArrayList<>();
            for (Session s : r.sessionsDueBy(leaderTimeMs, 100)) {
                assertNotNull(s, where + ": a session deadline without a session");
                dues.add(new Command.SessionDue(s.agent(), s.renewals()));
            }
            if (!dues.isEmpty() && chance(0.2)) {
                int i = random.nextInt(dues.size());
                Command.SessionDue d = dues.get(i);
                dues.set(i, new Command.SessionDue(d.agent(), d.renewals() + (chance(0.5) ? 1
                        : -1)));
            }
            List<Session> all = r.sessions();
            if (!all.isEmpty() && chance(0.2)) {
                Session s = pick(all); // Live, possibly not due: it must survive if not.
                dues.add(new Command.SessionDue(s.agent(), s.renewals()));
            }
            if (chance(0.1)) {
                dues.add(new Command.SessionDue(pick(AGENTS), 0));
            }
            if (!dues.isEmpty() && chance(0.1)) {
                dues.add(dues.get(0));
            }
            return new Command.ExpireSessions(dues);
        }

        private Command stallTasks() {
            TaskReader r = reader();
            List<Command.TaskDue> dues = new ArrayList<>();
            r.stallsDueBy(leaderTimeMs, 100).forEach(t ->
                    dues.add(new Command.TaskDue(t.queue(), t.id(), t.token())));
            if (!dues.isEmpty() && chance(0.2)) {
                int i = random.nextInt(dues.size());
                Command.TaskDue d = dues.get(i);
                dues.set(i, new Command.TaskDue(d.queue(), d.id(), d.token() + (chance(0.5)
                        ? 1 : -1)));
            }
            List<TaskRef> busy = model.withStatus(TaskStatus.IN_PROGRESS);
            if (!busy.isEmpty() && chance(0.2)) {
                TaskRef ref = pick(busy); // In progress, possibly not stalled: it must stay.
                dues.add(new Command.TaskDue(ref.queue(), ref.id(),
                        r.task(ref.queue(), ref.id()).token()));
            }
            if (!dues.isEmpty() && chance(0.1)) {
                dues.add(dues.get(0));
            }
            return new Command.StallTasks(dues);
        }

        /** Mostly a task in progress (so the owner's calls can succeed), else any id. */
        private TaskRef ownedTarget() {
            List<TaskRef> busy = model.withStatus(TaskStatus.IN_PROGRESS);
            if (!busy.isEmpty() && chance(0.75)) {
                return pick(busy);
            }
            String q = queue();
            return new TaskRef(q, anyId(q));
        }

        /** The task's current token as replica 0 has it, or a stale or unknown one. */
        private long tokenFor(TaskRef ref) {
            Task t = reader().task(ref.queue(), ref.id());
            if (t != null && t.token() != null && chance(0.75)) {
                return t.token();
            }
            return between(1, highestToken + 2);
        }

        private long anyId(String q) {
            long next = model.nextId(q);
            return chance(0.05) || next == 1 ? next + between(0, 2) : between(1, next - 1);
        }

        private String queue() {
            return chance(0.8) ? QUEUES.get(0) : QUEUES.get(1);
        }

        private long ttl() {
            return between(1000, 5000);
        }

        // ----- applying one entry -----

        private void applyEverywhere(Entry entry) {
            String key = entry.idempotencyKey();
            Command command = entry.command();
            Remembered first = key == null ? null : remembered.get(key);
            long nowMs = Math.max(model.clockMs(), entry.leaderTimeMs());
            if (first != null && first.atMs() + KEY_KEPT_MS < nowMs) {
                // Older than a day counts as gone, even while its record waits to be dropped.
                count("key forgotten after a day");
                remembered.remove(key);
                first = null;
            }
            TaskReader r = reader();
            Map<String, String> durableBefore = first == null ? null : durable(stores[0]);
            Task completing = command instanceof Command.CompleteTask c
                    ? r.task(c.queue(), c.id()) : null;
            List<String> mustExpire = command instanceof Command.ExpireSessions e
                    ? mustExpire(r, e, Math.max(r.nowMs(), entry.leaderTimeMs())) : null;

            Outcome outcome = applyToReplicas(entry);
            byte[] bytes = Codec.encodeOutcome(outcome);
            model.advanceClock(entry.leaderTimeMs());
            count(outcome instanceof Outcome.Rejected rejected ? rejected.code().wireName()
                    : outcome.getClass().getSimpleName());

            if (first != null) {
                checkRetry(first, command, outcome, bytes, durableBefore);
                followIdempotencyTable();
                return;
            }
            if (key != null && !keysSeen.add(key)) {
                count("retry applied afresh"); // Its first answer was forgotten, or not kept.
            }
            if (command instanceof Command.CompleteTask c) {
                checkStaleCompletion(c, completing, outcome);
            }
            if (mustExpire != null) {
                assertTrue(outcome instanceof Outcome.SessionsExpired, where + ": " + outcome);
                assertEquals(mustExpire, ((Outcome.SessionsExpired) outcome).agents(),
                        where + ": expired sessions");
                tally.merge("agent expired", mustExpire.size(), Integer::sum);
            }
            tallyClaims(command, outcome);
            checkNewTokens(outcome);
            model.apply(command, outcome, where);
            // A claim-next that found nothing is not remembered: a retry may find something.
            boolean emptyClaim = outcome instanceof Outcome.ClaimedMany many
                    && many.claims().isEmpty();
            if (key != null && !emptyClaim) {
                remembered.put(key, new Remembered(command, bytes, model.clockMs(), index));
                records.put(index, key);
            }
            followIdempotencyTable();
        }

        /**
         * Follows the machine's idempotency table (one record per entry here, since each entry
         * carries one request) and checks it: beyond its size the oldest records go at once;
         * records older than a day may go a few per entry, oldest first; nothing else goes.
         */
        private void followIdempotencyTable() {
            while (records.size() > idempotencyKeysMax) {
                Map.Entry<Long, String> oldest = records.pollFirstEntry();
                Remembered r = remembered.get(oldest.getValue());
                if (r != null && r.entry() == oldest.getKey()) {
                    remembered.remove(oldest.getValue());
                }
            }
            while (!records.isEmpty()
                    && stores[0].get(Keys.idempotency(records.firstKey())) == null) {
                Map.Entry<Long, String> dropped = records.pollFirstEntry();
                Remembered r = remembered.get(dropped.getValue());
                if (r != null && r.entry() == dropped.getKey()) {
                    assertTrue(r.atMs() + KEY_KEPT_MS < model.clockMs(), where + ": the record"
                            + " of " + dropped.getValue() + ", younger than a day, was dropped");
                    remembered.remove(dropped.getValue());
                }
                count("old record dropped");
            }
            List<Long> stored = new ArrayList<>();
            for (var it = stores[0].scan(Keys.IDEMPOTENCY, Keys.IDEMPOTENCY + Keys.END);
                    it.hasNext(); ) {
                stored.add(Keys.idempotencyEntry(it.next().getKey()));
            }
            assertEquals(new ArrayList<>(records.keySet()), stored,
                    where + ": the idempotency records");
        }

        /** Every replica applies the entry and answers with the same bytes. */
        private Outcome applyToReplicas(Entry entry) {
            Outcome outcome = machines[0].apply(index, entry);
            byte[] bytes = Codec.encodeOutcome(outcome);
            for (int i = 1; i < REPLICAS; i++) {
                Outcome o = machines[i].apply(index, entry);
                assertArrayEquals(bytes, Codec.encodeOutcome(o), where + ": replica " + i
                        + " answered " + o + " where replica 0 answered " + outcome);
            }
            return outcome;
        }

        private void tallyClaims(Command command, Outcome outcome) {
            if (outcome instanceof Outcome.TasksStalled stalled) {
                tally.merge("task stalled", stalled.tasks().size(), Integer::sum);
            }
            if (command instanceof Command.HandOff && outcome instanceof Outcome.Claimed) {
                count("handoff granted");
            }
            if (outcome instanceof Outcome.Claimed c && c.reclaimed()) {
                count("reclaim");
            }
        }

        /**
         * A retry with a remembered key answers exactly as the first time and applies nothing
         * twice; the same key on another request is refused and also applies nothing. Only the
         * clock, the promotion of tasks that came due, and the dropping of old keys may change.
         */
        private void checkRetry(Remembered first, Command command, Outcome outcome,
                                byte[] bytes, Map<String, String> durableBefore) {
            if (first.command().equals(command)) {
                assertArrayEquals(first.outcome(), bytes, where + ": a retry answered "
                        + outcome + ", the first answer was "
                        + Codec.decodeOutcome(first.outcome()));
                count("retry answered as the first");
            } else {
                assertTrue(outcome instanceof Outcome.Rejected r
                        && r.code() == Rejection.INVALID_ARGUMENT, where + ": a key first used for "
                        + first.command() + " was accepted for another request: " + outcome);
                count("key reused for another request");
            }
            Map<String, String> durableAfter = durable(stores[0]);
            if (!durableBefore.equals(durableAfter)) {
                Set<String> changed = new TreeSet<>(durableBefore.keySet());
                changed.addAll(durableAfter.keySet());
                changed.removeIf(k -> Objects.equals(durableBefore.get(k), durableAfter.get(k)));
                fail(where + ": a retry changed " + changed);
            }
        }

        /** A stale token never completes a task, and the refusal changes nothing. */
        private void checkStaleCompletion(Command.CompleteTask c, Task before, Outcome outcome) {
            boolean current = before != null && before.status() == TaskStatus.IN_PROGRESS
                    && Objects.equals(before.token(), c.token());
            if (current) {
                return;
            }
            assertTrue(outcome instanceof Outcome.Rejected r
                    && (r.code() == Rejection.STALE_TOKEN || r.code() == Rejection.NOT_FOUND),
                    where + ": a stale token was answered with " + outcome);
            assertEquals(before, reader().task(c.queue(), c.id()),
                    where + ": a refused completion changed the task");
        }

        /** Which of the named sessions replica 0 says are still as the leader saw them, and due. */
        private List<String> mustExpire(TaskReader r, Command.ExpireSessions e, long nowMs) {
            List<String> expired = new ArrayList<>();
            for (Command.SessionDue due : e.sessions()) {
                Session s = r.session(due.agent());
                if (s == null || expired.contains(due.agent())) {
                    continue;
                }
                if (s.renewals() != due.renewals()) {
                    count("stale expiry left alone"); // The renewal was ordered first: it wins.
                } else if (s.expiresAtMs() <= nowMs) {
                    expired.add(due.agent());
                }
            }
            return expired;
        }

        /** Every newly granted token is larger than every token granted before it. */
        private void checkNewTokens(Outcome outcome) {
            List<Outcome.Claimed> grants = outcome instanceof Outcome.Claimed c && !c.reclaimed()
                    ? List.of(c)
                    : outcome instanceof Outcome.ClaimedMany many ? many.claims() : List.of();
            for (Outcome.Claimed g : grants) {
                assertTrue(g.token() > highestToken, where + ": token " + g.token()
                        + " granted after token " + highestToken);
                assertEquals(g.token(), g.task().token(), where + ": the granted task's token");
                highestToken = g.token();
            }
        }

        /** Sometimes a replica restarts: over its own store, or from another's snapshot. */
        private void maybeRestart() {
            if (!chance(0.03)) {
                return;
            }
            int target = random.nextInt(REPLICAS);
            int source = random.nextInt(REPLICAS);
            if (target != source) {
                stores[target] = copyOf(stores[source]);
                count("snapshot install");
            } else {
                count("restart");
            }
            // The machine keeps its clock and its index of key hashes outside the store; it
            // must rebuild both from the store alone.
            machines[target] = new TaskMachine(stores[target], idempotencyKeysMax);
        }

        // ----- invariants -----

        private void checkInvariants() {
            for (int i = 1; i < REPLICAS; i++) {
                assertSameBytes(stores[0], stores[i], where + ": replica " + i);
            }
            TaskReader r = reader();
            long now = r.nowMs();
            assertTrue(now >= lastClockMs, where + ": the clock went back from " + lastClockMs
                    + " to " + now);
            lastClockMs = now;
            assertEquals(model.clockMs(), now, where + ": the clock is the latest leader stamp");
            for (int i = 0; i < REPLICAS; i++) {
                assertEquals(now, machines[i].nowMs(), where + ": replica " + i + "'s clock");
            }
            Map<String, List<Task>> tasks = allTasks(r);
            List<Session> sessions = r.sessions();
            checkOwnership(tasks, sessions);
            checkQueues(r, tasks, now);
            checkDeadlines(r, tasks, sessions, now);
            model.assertMatches(tasks, sessions, where);
        }

        /**
         * At most one owner per task; a task is in progress exactly when it has an owner and a
         * token, and exactly when its owner's live session lists it under that token.
         */
        private void checkOwnership(Map<String, List<Task>> tasks, List<Session> sessions) {
            Map<String, Session> byAgent = new TreeMap<>();
            sessions.forEach(s -> byAgent.put(s.agent(), s));
            Set<Long> tokens = new HashSet<>();
            Map<TaskRef, Task> byRef = new HashMap<>();
            for (List<Task> queue : tasks.values()) {
                for (Task t : queue) {
                    byRef.put(t.ref(), t);
                    // Messages are built only on failure: this runs for every task every entry.
                    Supplier<String> at = () -> where + ": " + t;
                    boolean inProgress = t.status() == TaskStatus.IN_PROGRESS;
                    assertEquals(inProgress, t.owner() != null, at);
                    assertEquals(inProgress, t.token() != null, at);
                    if (!inProgress) {
                        continue;
                    }
                    assertTrue(tokens.add(t.token()), () -> at.get() + ": its token twice");
                    assertTrue(t.token() <= highestToken, () -> at.get() + ": never granted");
                    Session s = byAgent.get(t.owner());
                    assertNotNull(s, () -> at.get() + ": its owner has no live session");
                    long listed = s.claims().stream().filter(c -> c.ref().equals(t.ref())
                            && c.token() == t.token()).count();
                    assertEquals(1, listed, () -> at.get() + ": its owner's session lists it "
                            + listed + " times: " + s);
                }
            }
            Set<TaskRef> held = new HashSet<>();
            for (Session s : sessions) {
                for (Session.Claim c : s.claims()) {
                    Supplier<String> at = () -> where + ": " + s.agent() + " lists " + c.ref()
                            + "@" + c.token();
                    assertTrue(held.add(c.ref()), () -> at.get() + ", which another lists too");
                    Task t = byRef.get(c.ref());
                    assertNotNull(t, () -> at.get() + ", which does not exist");
                    assertEquals(TaskStatus.IN_PROGRESS, t.status(), at);
                    assertEquals(s.agent(), t.owner(), at);
                    assertEquals(c.token(), t.token(), at);
                }
            }
        }

        /** Each queue's counters match a recount of its tasks; ids run 1..n with none lost. */
        private void checkQueues(TaskReader r, Map<String, List<Task>> tasks, long now) {
            for (QueueSummary q : r.queues()) {
                List<Task> list = tasks.get(q.name());
                long[] counts = new long[TaskStatus.values().length];
                long ready = 0;
                for (int i = 0; i < list.size(); i++) {
                    Task t = list.get(i);
                    assertEquals(i + 1, t.id(), () -> where + ": ids of " + q.name());
                    counts[t.status().ordinal()]++;
                    boolean due = t.notBeforeMs() == null || t.notBeforeMs() <= now;
                    if (t.status() == TaskStatus.PENDING && t.blockedBy().isEmpty() && due) {
                        ready++;
                    }
                }
                QueueSummary recount = new QueueSummary(q.name(), list.size() + 1,
                        counts[TaskStatus.PENDING.ordinal()], ready,
                        counts[TaskStatus.IN_PROGRESS.ordinal()],
                        counts[TaskStatus.COMPLETED.ordinal()],
                        counts[TaskStatus.FAILED.ordinal()],
                        counts[TaskStatus.DELETED.ordinal()]);
                assertEquals(recount, q, where + ": counters of " + q.name());
            }
        }

        /**
         * The indexes the leader reads to propose expiries and stall releases name exactly the
         * sessions and tasks that are due, and the conflict index exactly the busy tasks.
         */
        private void checkDeadlines(TaskReader r, Map<String, List<Task>> tasks,
                                    List<Session> sessions, long now) {
            List<String> dueSessions = sessions.stream().filter(s -> s.expiresAtMs() <= now)
                    .sorted(Comparator.comparingLong(Session::expiresAtMs)
                            .thenComparing(Session::agent))
                    .map(Session::agent).toList();
            List<String> indexed = new ArrayList<>();
            for (Session s : r.sessionsDueBy(now, Integer.MAX_VALUE)) {
                assertNotNull(s, where + ": a session deadline without a session");
                indexed.add(s.agent());
            }
            assertEquals(dueSessions, indexed, where + ": sessions due");
            Set<String> stalled = new TreeSet<>();
            long busy = 0;
            for (List<Task> queue : tasks.values()) {
                for (Task t : queue) {
                    if (t.status() != TaskStatus.IN_PROGRESS) {
                        continue;
                    }
                    busy += t.resources().isEmpty() ? 0 : 1;
                    if (t.stallMs() != null && t.lastActivityMs() + t.stallMs() <= now) {
                        stalled.add(t.ref() + "@" + t.token());
                    }
                }
            }
            Set<String> stallIndex = new TreeSet<>();
            r.stallsDueBy(now, Integer.MAX_VALUE).forEach(t -> stallIndex.add(
                    t.ref() + "@" + t.token()));
            assertEquals(stalled, stallIndex, where + ": tasks stalled");
            long busyIndex = 0;
            for (var it = stores[0].scan("p/", "p/" + Keys.END); it.hasNext(); it.next()) {
                busyIndex++;
            }
            assertEquals(busy, busyIndex, where + ": in-progress tasks holding resources");
        }

        // ----- helpers -----

        private TaskReader reader() {
            return new TaskReader(stores[0]);
        }

        private static Map<String, List<Task>> allTasks(TaskReader r) {
            Map<String, List<Task>> tasks = new TreeMap<>();
            for (QueueSummary q : r.queues()) {
                List<Task> list = new ArrayList<>();
                TaskReader.Page page = r.list(q.name(), TaskReader.Filter.ALL, 0, 1000);
                list.addAll(page.tasks());
                while (page.nextAfterId() != null) {
                    page = r.list(q.name(), TaskReader.Filter.ALL, page.nextAfterId(), 1000);
                    list.addAll(page.tasks());
                }
                tasks.put(q.name(), list);
            }
            return tasks;
        }

        /**
         * The store without what a retry may legitimately change: the clock (m/clock), the
         * idempotency table (i/, m/idempotency.*) and what promoting due tasks moves (d/,
         * r/ and the queues' ready counters in q/).
         */
        private static Map<String, String> durable(TreeMapStore store) {
            Map<String, String> kept = new TreeMap<>();
            for (var it = store.scan("", Keys.END); it.hasNext(); ) {
                Map.Entry<String, byte[]> e = it.next();
                String k = e.getKey();
                boolean mayChange = k.equals("m/clock") || k.startsWith("m/idempotency")
                        || k.startsWith("i/") || k.startsWith("d/")
                        || k.startsWith("r/") || k.startsWith("q/");
                if (!mayChange) {
                    // ISO-8859-1 maps each byte to one char, so equal strings mean equal bytes.
                    kept.put(k, new String(e.getValue(), StandardCharsets.ISO_8859_1));
                }
            }
            return kept;
        }

        /** A snapshot install: a new store loaded from a byte-for-byte copy of another. */
        private static TreeMapStore copyOf(TreeMapStore source) {
            TreeMapStore copy = new TreeMapStore();
            for (var it = source.scan("", "\uffff"); it.hasNext(); ) {
                Map.Entry<String, byte[]> e = it.next();
                copy.put(e.getKey(), e.getValue().clone());
            }
            assertEquals(source.size(), copy.size(), "every key sorts below \\uffff");
            return copy;
        }

        private static void assertSameBytes(TreeMapStore a, TreeMapStore b, String where) {
            assertEquals(a.size(), b.size(), where + ": number of keys");
            Iterator<Map.Entry<String, byte[]>> x = a.scan("", "\uffff");
            Iterator<Map.Entry<String, byte[]>> y = b.scan("", "\uffff");
            while (x.hasNext() && y.hasNext()) {
                Map.Entry<String, byte[]> ex = x.next();
                Map.Entry<String, byte[]> ey = y.next();
                if (!ex.getKey().equals(ey.getKey())) {
                    fail(where + ": key " + ex.getKey() + " against " + ey.getKey());
                }
                if (!Arrays.equals(ex.getValue(), ey.getValue())) {
                    fail(where + ": different bytes under " + ex.getKey());
                }
            }
            assertEquals(x.hasNext(), y.hasNext(), where + ": one store has more keys");
        }

        private void count(String kind) {
            tally.merge(kind, 1, Integer::sum);
        }

        private boolean chance(double p) {
            return random.nextDouble() < p;
        }

        /** A uniform long in [from, to], both included. */
        private long between(long from, long to) {
            return random.nextLong(from, to + 1);
        }

        private <T> T pick(List<T> list) {
            return list.get(random.nextInt(list.size()));
        }
    }
}
