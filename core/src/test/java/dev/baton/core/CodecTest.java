package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.core.model.EventType;
import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskStatus;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Everything the core stores or logs reads back as the value that was written. */
class CodecTest {

    @Test
    void aFullyPopulatedTaskAndASparseOneRoundTrip() {
        Task full = Samples.task();
        assertEquals(full, Codec.decodeTask(Codec.encodeTask(full)));

        Task.Builder b = new Task.Builder();
        b.queue = "q";
        b.id = 1;
        b.subject = "s";
        b.status = TaskStatus.PENDING;
        b.blockedBy = List.of();
        b.blocks = List.of();
        b.resources = List.of();
        b.requires = List.of();
        b.labels = new TreeMap<>();
        Task sparse = b.build();
        assertEquals(sparse, Codec.decodeTask(Codec.encodeTask(sparse)));
    }

    @Test
    void equalTasksEncodeToEqualBytesWhateverOrderTheirLabelsCameIn() {
        Map<String, String> one = new LinkedHashMap<>();
        one.put("b", "2");
        one.put("a", "1");
        Task.Builder b = Samples.task().toBuilder();
        b.labels = new TreeMap<>(one);
        Map<String, String> other = new LinkedHashMap<>();
        other.put("a", "1");
        other.put("b", "2");
        Task.Builder c = Samples.task().toBuilder();
        c.labels = new TreeMap<>(other);
        assertArrayEquals(Codec.encodeTask(b.build()), Codec.encodeTask(c.build()));
    }

    @Test
    void historyEventsQueueSummariesAndSessionsRoundTrip() {
        TaskEvent full = Samples.event();
        assertEquals(full, Codec.decodeEvent(Codec.encodeEvent(full)));
        TaskEvent bare = TaskEvent.of(1, 2, EventType.CREATED);
        assertEquals(bare, Codec.decodeEvent(Codec.encodeEvent(bare)));
        QueueSummary q = Samples.queue();
        assertEquals(q, Codec.decodeQueue(Codec.encodeQueue(q)));
        Session session = Samples.session();
        assertEquals(session, Codec.decodeSession(Codec.encodeSession(session)));
    }

    @Test
    void everyCommandTypeRoundTripsThroughALogEntry() {
        Map<Class<?>, Command> samples = Samples.commands();
        for (Class<?> type : Command.class.getPermittedSubclasses()) {
            assertTrue(samples.containsKey(type), "Samples.commands() has no " + type);
        }
        List<Command> commands = new java.util.ArrayList<>(samples.values());
        // Absent optional parts must read back absent, not empty.
        commands.add(new Command.UpdateTask("q", 2, null, null, null, null, null, null, null,
                null, true, List.of(), List.of()));
        commands.add(new Command.CreateTask("q", "s", null, null, 0, List.of(), List.of(),
                List.of(), new TreeMap<>(), null, null, null, 5L, null));
        long time = 1_700_000_000_123L;
        for (Command command : commands) {
            for (String key : new String[] {null, "", "retry-7"}) {
                byte[] request = Codec.encodeBatch(List.of(new Proposal(key, command)));
                byte[] stamped = ByteBuffer.allocate(8 + request.length).putLong(time)
                        .put(request).array();
                assertEquals(List.of(new Entry(time, key, command)),
                        Codec.decodeEntries(stamped));
            }
        }
    }

    @Test
    void aBatchReadsBackAsItsRequestsInOrderWithTheLeadersOneStamp() {
        List<Proposal> proposals = new java.util.ArrayList<>();
        List<Entry> expected = new java.util.ArrayList<>();
        long time = 1_700_000_000_456L;
        int i = 0;
        for (Command command : Samples.commands().values()) {
            String key = i++ % 2 == 0 ? null : "key-" + i;
            proposals.add(new Proposal(key, command));
            expected.add(new Entry(time, key, command));
        }
        byte[] batch = Codec.encodeBatch(proposals);
        byte[] stamped = ByteBuffer.allocate(8 + batch.length).putLong(time).put(batch).array();
        assertEquals(expected, Codec.decodeEntries(stamped));

        List<Outcome> outcomes = new java.util.ArrayList<>(Samples.outcomes().values());
        assertEquals(outcomes, Codec.decodeOutcomes(Codec.encodeOutcomes(outcomes)));
    }

    @Test
    void anEntryFromBeforeBatchesReadsAsABatchOfOne() {
        byte[] request = Codec.encodeRequest("k", new Command.Tick());
        byte[] stamped = ByteBuffer.allocate(8 + request.length).putLong(9).put(request).array();
        assertEquals(List.of(new Entry(9, "k", new Command.Tick())),
                Codec.decodeEntries(stamped));
    }

    @Test
    void everyOutcomeTypeRoundTripsIncludingRejectionDetails() {
        Map<Class<?>, Outcome> samples = Samples.outcomes();
        for (Class<?> type : Outcome.class.getPermittedSubclasses()) {
            assertTrue(samples.containsKey(type), "Samples.outcomes() has no " + type);
        }
        for (Outcome outcome : samples.values()) {
            assertEquals(outcome, Codec.decodeOutcome(Codec.encodeOutcome(outcome)));
        }
        for (Rejection code : Rejection.values()) {
            Outcome r = Outcome.Rejected.of(code, "because");
            assertEquals(r, Codec.decodeOutcome(Codec.encodeOutcome(r)));
        }
    }

    @Test
    void aDetailThatIsNotAStringLongOrListCannotBeEncoded() {
        Outcome r = new Outcome.Rejected(Rejection.BLOCKED, "no", Map.of("count", 3));
        assertThrows(IllegalArgumentException.class, () -> Codec.encodeOutcome(r));
    }

    @Test
    void truncatedOrPaddedBytesAreRefusedNotGuessedAt() {
        byte[] task = Codec.encodeTask(Samples.task());
        assertThrows(IllegalStateException.class,
                () -> Codec.decodeTask(Arrays.copyOf(task, task.length - 1)));
        byte[] request = Codec.encodeRequest("k", new Command.Tick());
        byte[] padded = ByteBuffer.allocate(8 + request.length + 1).putLong(1).put(request)
                .array();
        assertThrows(IllegalStateException.class, () -> Codec.decodeEntries(padded));
        assertThrows(IllegalStateException.class, () -> Codec.decodeOutcome(new byte[] {1, 99}));
    }
}
