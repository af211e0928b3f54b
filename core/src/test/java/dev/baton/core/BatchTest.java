package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.core.model.EventType;
import dev.baton.core.model.TaskStatus;
import dev.baton.core.state.TreeMapStore;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A log entry that carries several requests (group commit) applies each exactly as if it had an
 * entry of its own: same decisions, same tokens, every event kept under the entry's index.
 */
class BatchTest {
    private static final long T = 1_700_000_000_000L;

    private static Command create(String subject) {
        return new Command.CreateTask("q", subject, null, null, 0, List.of(), List.of(),
                List.of(), new TreeMap<>(), null, null, null, null, null);
    }

    private static Command claimNext(String agent) {
        return new Command.ClaimNext("q", agent, 1, List.of(), new TreeMap<>(), 30_000);
    }

    @Test
    void aBatchDecidesWhatTheSameRequestsDecideOneEntryEach() {
        List<Entry> requests = List.of(
                new Entry(T, "c1", create("one")),
                new Entry(T, "c2", create("two")),
                new Entry(T, "n1", claimNext("a")),
                new Entry(T, "n2", claimNext("b")),
                new Entry(T, "n3", claimNext("c")),
                // A retry inside the same entry answers the first outcome, changes nothing.
                new Entry(T, "c1", create("one")),
                new Entry(T, "d1", new Command.CompleteTask("q", 1, 1, "ok")));

        TaskMachine alone = new TaskMachine(new TreeMapStore(), 1000);
        List<Outcome> separately = new ArrayList<>();
        long index = 1;
        for (Entry e : requests) {
            separately.add(alone.apply(index++, e));
        }
        TreeMapStore store = new TreeMapStore();
        List<Outcome> together = new TaskMachine(store, 1000).applyAll(7, requests);

        assertEquals(requests.size(), together.size());
        for (int i = 0; i < requests.size(); i++) {
            assertEquals(summary(separately.get(i)), summary(together.get(i)), "request " + i);
        }
        assertEquals(List.of(), ((Outcome.ClaimedMany) together.get(4)).claims(),
                "two tasks, three agents: the third finds nothing");
        assertInstanceOf(Outcome.TaskUpdated.class, together.get(6));

        // Every event of the entry is in the stream, in order, under the entry's index.
        TaskReader reader = new TaskReader(store);
        List<EventType> types = new ArrayList<>();
        reader.eventsAfter(0, null, 100).events().forEach(e -> {
            assertEquals(7, e.event().index());
            types.add(e.event().type());
        });
        assertEquals(List.of(EventType.CREATED, EventType.CREATED, EventType.CLAIMED,
                EventType.CLAIMED, EventType.COMPLETED), types);
        assertEquals(TaskStatus.COMPLETED, reader.task("q", 1).status());
        assertEquals(TaskStatus.IN_PROGRESS, reader.task("q", 2).status());
    }

    @Test
    void theKeysOfAnEntryAreRememberedTogetherAndFoundAgainAfterARestart() {
        TreeMapStore store = new TreeMapStore();
        List<Outcome> first = new TaskMachine(store, 1000).applyAll(3, List.of(
                new Entry(T, "c1", create("one")),
                new Entry(T, "c2", create("two")),
                new Entry(T, null, create("three"))));
        assertEquals(List.of(3L), records(store), "one record for the entry's two keys");

        // A restarted machine finds both keys from the stored record alone.
        TaskMachine restarted = new TaskMachine(store, 1000);
        List<Outcome> retries = restarted.applyAll(4, List.of(
                new Entry(T + 1, "c2", create("two")),
                new Entry(T + 1, "c1", create("one"))));
        assertEquals(summary(first.get(1)), summary(retries.get(0)));
        assertEquals(summary(first.get(0)), summary(retries.get(1)));
        assertEquals(null, restarted.reader().task("q", 4), "a retry created nothing");
        assertEquals(List.of(3L), records(store), "a retry remembers nothing new");
    }

    @Test
    void aFullTableDropsItsOldestEntriesWholeUntilItFits() {
        TreeMapStore store = new TreeMapStore();
        TaskMachine machine = new TaskMachine(store, 3);
        machine.applyAll(1, List.of(new Entry(T, "k1", create("one")),
                new Entry(T, "k2", create("two"))));
        machine.applyAll(2, List.of(new Entry(T, "k3", create("three"))));
        machine.applyAll(3, List.of(new Entry(T, "k4", create("four")),
                new Entry(T, "k5", create("five"))));
        // Five keys in a table of three: entry 1's two go, entry 2's one stays.
        assertEquals(List.of(2L, 3L), records(store));

        Outcome k3 = machine.apply(4, new Entry(T, "k3", create("three")));
        assertEquals("created #3 PENDING", summary(k3), "k3 is still remembered");
        Outcome k1 = machine.apply(5, new Entry(T, "k1", create("one")));
        assertEquals("created #6 PENDING", summary(k1), "k1 was forgotten: applied anew");
        assertEquals(List.of(3L, 5L), records(store), "and entry 2 made room for it");
    }

    /**
     * Dropping the oldest records must not get slower the more were dropped before. A B-tree
     * store (MapDB) keeps the leaves its deletes emptied, so a search for the oldest record
     * that starts at the table's first key walks past every record ever dropped: after a
     * million keyed requests that walk was most of a node's applying thread. This store counts
     * the deleted keys a scan passes before its first live one, as such a tree reads them.
     */
    @Test
    void findingTheOldestRecordDoesNotWalkPastTheRecordsDroppedBefore() {
        EmptiedLeaves store = new EmptiedLeaves();
        TaskMachine machine = new TaskMachine(store, 4);
        int entries = 400;
        for (long index = 1; index <= entries; index++) {
            machine.applyAll(index, List.of(new Entry(T, "a" + index, create("one")),
                    new Entry(T, "b" + index, create("two"))));
        }
        long walked = store.walked;
        // One record dropped per entry; a search may pass at most the one just dropped.
        assertTrue(walked <= entries, "walked past " + walked + " dropped records in "
                + entries + " entries");
        assertEquals(List.of((long) entries - 1, (long) entries), records(store),
                "a table of four keys keeps the last two entries' records");
    }

    /** A store whose scans pass the deleted keys before their first live one, and count them. */
    private static final class EmptiedLeaves implements dev.baton.core.state.KeyValueStore {
        final TreeMapStore live = new TreeMapStore();
        final java.util.TreeSet<String> deleted = new java.util.TreeSet<>();
        long walked;

        @Override
        public byte[] get(String key) {
            return live.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            deleted.remove(key);
            live.put(key, value);
        }

        @Override
        public void delete(String key) {
            live.delete(key);
            deleted.add(key);
        }

        @Override
        public java.util.Iterator<java.util.Map.Entry<String, byte[]>> scan(
                String fromInclusive, String toExclusive) {
            var it = live.scan(fromInclusive, toExclusive);
            var first = live.scan(fromInclusive, toExclusive);
            String end = first.hasNext() ? first.next().getKey() : toExclusive;
            walked += deleted.subSet(fromInclusive, true, end, false).size();
            return it;
        }

        @Override
        public void clear() {
            live.clear();
            deleted.clear();
        }
    }

    /** The log indexes of the stored idempotency records, oldest first. */
    private static List<Long> records(dev.baton.core.state.KeyValueStore store) {
        List<Long> entries = new ArrayList<>();
        store.scan(Keys.IDEMPOTENCY, Keys.IDEMPOTENCY + Keys.END).forEachRemaining(
                e -> entries.add(Keys.idempotencyEntry(e.getKey())));
        return entries;
    }

    /** What a client sees of an outcome, minus the log index its events carry. */
    private static String summary(Outcome o) {
        if (o instanceof Outcome.TaskCreated c) {
            return "created #" + c.task().id() + " " + c.task().status();
        } else if (o instanceof Outcome.TaskUpdated u) {
            return "updated #" + u.task().id() + " " + u.task().status();
        } else if (o instanceof Outcome.ClaimedMany m) {
            StringBuilder b = new StringBuilder("claimed");
            m.claims().forEach(c -> b.append(" #").append(c.task().id()).append(" token ")
                    .append(c.token()).append(" by ").append(c.task().owner()));
            return b.toString();
        }
        return o.toString();
    }
}
