package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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
