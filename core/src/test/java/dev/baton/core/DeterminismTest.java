package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskStatus;
import dev.baton.core.state.TreeMapStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A seeded random log applied to two replicas: one takes each entry as proposed, the other as it
 * comes back out of the log's bytes. After every entry both stores must hold the same keys and
 * bytes, the outcomes must be equal, and the state must keep the machine's invariants.
 * The seed is printed; {@code mvn -pl core verify -Dseed=N} replays a run.
 */
class DeterminismTest {
    private static final int STEPS = 2_000;
    private static final List<String> QUEUES = List.of("a", "b");

    @Test
    void twoReplicasApplyingTheSameLogHoldTheSameBytesAfterEveryEntry() {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("DeterminismTest seed=" + seed + " (replay: -Dseed=" + seed + ")");
        Random random = new Random(seed);
        TreeMapStore storeA = new TreeMapStore();
        TreeMapStore storeB = new TreeMapStore();
        // A small idempotency table, so that dropping by count happens as well as by age.
        TaskMachine a = new TaskMachine(storeA, 5);
        TaskMachine b = new TaskMachine(storeB, 5);
        Workload workload = new Workload(random);
        long clock = 0;
        Map<String, Integer> tally = new TreeMap<>();
        for (int index = 1; index <= STEPS; index++) {
            Entry entry = workload.next();
            String where = "seed " + seed + ", entry " + index + ": " + entry;
            Outcome outcomeA = a.apply(index, entry);
            // B sees the entry as a replica does: proposed, stamped, logged and decoded.
            Outcome outcomeB = b.applyAll(index, Codec.decodeEntries(stamp(entry))).get(0);
            assertArrayEquals(Codec.encodeOutcome(outcomeA), Codec.encodeOutcome(outcomeB), where);
            assertSameContents(storeA, storeB, where);
            assertTrue(a.nowMs() >= clock, where + ": the clock ran backwards");
            clock = a.nowMs();
            audit(storeA, a, where);
            workload.learn(outcomeA);
            tally.merge(outcomeA instanceof Outcome.Rejected r ? r.code().wireName()
                    : outcomeA.getClass().getSimpleName(), 1, Integer::sum);
        }
        System.out.println("outcomes: " + tally);
        // A workload that never meets these would check nothing about them.
        for (String kind : List.of("TaskCreated", "TaskFound", "TaskUpdated", "TaskDeleted",
                "Ticked", "invalid_argument", "not_found", "cycle")) {
            assertTrue(tally.containsKey(kind), "seed " + seed + " never produced " + kind);
        }
    }

    @Test
    void everyCommandTypeIsDispatchedByTheMachine() {
        Map<Class<?>, Command> samples = Samples.commands();
        for (Class<?> type : Command.class.getPermittedSubclasses()) {
            Command sample = samples.get(type);
            assertNotNull(sample, "add a sample of " + type + " to Samples.commands()");
            TaskMachine machine = new TaskMachine(new TreeMapStore(), 10);
            Outcome outcome = machine.apply(1, new Entry(1_000, "k", sample));
            assertNotNull(outcome, type.getSimpleName());
            assertEquals(outcome, machine.apply(2, new Entry(1_001, "k", sample)),
                    type.getSimpleName() + " retried with its key");
        }
    }

    private static byte[] stamp(Entry e) {
        byte[] request = Codec.encodeBatch(List.of(new Proposal(e.idempotencyKey(),
                e.command())));
        return ByteBuffer.allocate(8 + request.length).putLong(e.leaderTimeMs()).put(request)
                .array();
    }

    private static void assertSameContents(TreeMapStore a, TreeMapStore b, String where) {
        Iterator<Map.Entry<String, byte[]>> x = a.scan("", Keys.END);
        Iterator<Map.Entry<String, byte[]>> y = b.scan("", Keys.END);
        while (x.hasNext() && y.hasNext()) {
            Map.Entry<String, byte[]> ex = x.next();
            Map.Entry<String, byte[]> ey = y.next();
            assertEquals(ex.getKey(), ey.getKey(), where);
            assertArrayEquals(ex.getValue(), ey.getValue(), where + ": " + ex.getKey());
        }
        assertEquals(x.hasNext(), y.hasNext(), where + ": one store has more keys");
    }

    // ----- invariants -----

    private static void audit(TreeMapStore store, TaskMachine machine, String where) {
        TaskReader reader = new TaskReader(store);
        long now = reader.nowMs();
        assertEquals(machine.nowMs(), now, where);
        long readyTotal = 0;
        long keyedTotal = 0;
        long delayedTotal = 0;
        long nextDeadline = Long.MAX_VALUE;
        for (QueueSummary q : reader.queues()) {
            Map<Long, Task> tasks = new TreeMap<>();
            TaskReader.Page page = reader.list(q.name(), TaskReader.Filter.ALL, 0, 1000);
            page.tasks().forEach(t -> tasks.put(t.id(), t));
            while (page.nextAfterId() != null) {
                page = reader.list(q.name(), TaskReader.Filter.ALL, page.nextAfterId(), 1000);
                page.tasks().forEach(t -> tasks.put(t.id(), t));
            }
            String at = where + ", queue " + q.name();
            assertEquals(q.nextId() - 1, tasks.size(), at + ": ids are 1..nextId-1, none lost");
            long[] counts = new long[TaskStatus.values().length];
            long ready = 0;
            Map<String, Long> keys = new HashMap<>();
            for (Task t : tasks.values()) {
                counts[t.status().ordinal()]++;
                ready += t.isReadyAt(now) ? 1 : 0;
                boolean waitsForTime = t.status() == TaskStatus.PENDING
                        && t.blockedBy().isEmpty() && !t.isReadyAt(now);
                if (waitsForTime) {
                    delayedTotal++;
                    nextDeadline = Math.min(nextDeadline, t.notBeforeMs());
                }
                auditEdges(t, tasks, at);
                if (t.key() != null && t.status() != TaskStatus.DELETED) {
                    Long other = keys.put(t.key(), t.id());
                    assertEquals(null, other, () -> at + ": key " + t.key() + " held twice");
                }
            }
            assertEquals(new QueueSummary(q.name(), q.nextId(), counts[0], ready, counts[1],
                    counts[2], counts[3], counts[4]), q, at + ": counters");
            readyTotal += ready;
            keyedTotal += keys.size();
            auditAcyclic(tasks, at);
        }
        assertEquals(readyTotal, count(store, "r/"), where + ": ready index");
        assertEquals(keyedTotal, count(store, "k/"), where + ": dedupe keys of deleted tasks");
        assertEquals(delayedTotal, count(store, "d/"), where + ": delayed index");
        assertEquals(nextDeadline, reader.nextDelayedMs(), where + ": next deadline");
    }

    private static void auditEdges(Task t, Map<Long, Task> tasks, String where) {
        if (t.status() == TaskStatus.DELETED) {
            assertTrue(t.blockedBy().isEmpty() && t.blocks().isEmpty(), () -> where + " " + t);
        }
        for (long id : t.blockedBy()) {
            Task blocker = tasks.get(id);
            assertTrue(blocker != null && blocker.blocks().contains(t.id())
                    && blocker.status() != TaskStatus.COMPLETED
                    && blocker.status() != TaskStatus.DELETED,
                    () -> where + ": " + t + " / " + blocker);
        }
        for (long id : t.blocks()) {
            assertTrue(tasks.get(id).blockedBy().contains(t.id()), () -> where + ": " + t);
        }
    }

    private static void auditAcyclic(Map<Long, Task> tasks, String where) {
        Map<Long, Boolean> finished = new HashMap<>();
        tasks.keySet().forEach(id -> visit(id, tasks, finished, where));
    }

    /** Depth-first over blockedBy; meeting a task still on the path means a cycle. */
    private static void visit(long id, Map<Long, Task> tasks, Map<Long, Boolean> finished,
                              String where) {
        Boolean done = finished.putIfAbsent(id, false);
        if (done != null) {
            assertTrue(done, () -> where + ": a dependency cycle runs through #" + id);
            return;
        }
        tasks.get(id).blockedBy().forEach(blocker -> visit(blocker, tasks, finished, where));
        finished.put(id, true);
    }

    private static long count(TreeMapStore store, String prefix) {
        long n = 0;
        for (var it = store.scan(prefix, prefix + Keys.END); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    // ----- the workload -----

    /** Random but plausible traffic: mostly valid, some refusals, retries and clock skew. */
    private static final class Workload {
        private final Random random;
        private final Map<String, Long> nextId = new HashMap<>();
        private final List<Entry> keyed = new ArrayList<>();
        private long time = 1_000_000;
        private int serial;

        Workload(Random random) {
            this.random = random;
        }

        void learn(Outcome outcome) {
            if (outcome instanceof Outcome.TaskCreated c) {
                nextId.merge(c.task().queue(), c.task().id() + 1, Math::max);
            }
        }

        Entry next() {
            int r = random.nextInt(100);
            time += r < 3 ? -random.nextInt(2_000) : r < 4 ? 25 * 3_600_000 : random.nextInt(300);
            if (!keyed.isEmpty() && random.nextInt(100) < 5) {
                Entry retry = keyed.get(random.nextInt(keyed.size()));
                return new Entry(time, retry.idempotencyKey(), retry.command());
            }
            String key = random.nextInt(100) < 15 ? "k" + random.nextInt(10) : null;
            Entry e = new Entry(time, key, command());
            if (key != null) {
                keyed.add(e);
            }
            return e;
        }

        private Command command() {
            String q = QUEUES.get(random.nextInt(QUEUES.size()));
            int kind = random.nextInt(100);
            if (kind < 35) {
                return new Command.CreateTask(q, random.nextInt(50) == 0 ? " " : "t" + serial++,
                        null, null, random.nextInt(6) - 2, ids(q, 3), List.of(), List.of(),
                        random.nextInt(3) == 0 ? new TreeMap<>(Map.of("team",
                                random.nextBoolean() ? "infra" : "web")) : new TreeMap<>(),
                        random.nextInt(5) == 0 ? "key" + random.nextInt(3) : null,
                        random.nextInt(10) == 0 ? 1 + random.nextInt(10) : null, null,
                        random.nextInt(20) == 0 ? time + random.nextInt(3_000) : null,
                        random.nextInt(5) == 0 ? (long) random.nextInt(2_000) : null);
            }
            long id = random.nextInt(4) == 0 ? 1 + random.nextInt((int) recent(q)) : recent(q);
            if (kind < 65) {
                int what = random.nextInt(4);
                return new Command.UpdateTask(q, id, what == 0 ? "u" + serial++ : null, null,
                        null, what == 1 ? random.nextInt(6) - 2 : null, null, null, null,
                        what == 2 && random.nextBoolean() ? time + random.nextInt(3_000) : null,
                        what == 2 && random.nextBoolean() && random.nextBoolean(), ids(q, 2),
                        random.nextBoolean() ? ids(q, 2) : List.of());
            }
            if (kind < 80) {
                return new Command.DeleteTask(q, id);
            }
            return new Command.Tick();
        }

        private List<Long> ids(String q, int max) {
            List<Long> ids = new ArrayList<>();
            for (int n = random.nextInt(max + 1); n > 0 && random.nextInt(4) > 0; n--) {
                // Mostly recent tasks, so that edges cluster and cycles get tried; now and then
                // the id about to be assigned, which does not exist yet.
                ids.add(recent(q));
            }
            return ids;
        }

        private long recent(String q) {
            long bound = nextId.getOrDefault(q, 1L);
            return bound - random.nextInt((int) Math.min(bound, 12));
        }
    }
}
