package dev.baton.client;

import static dev.baton.client.FakeNode.Reply.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The event stream's reconnection: an entry cut short by a broken connection is not handed out
 * until it is received whole, from whichever node, so nothing is missed or repeated.
 */
class EventStreamTest {
    private static String event(long index, long task, String type) {
        return "data: {\"queue\": \"q\", \"id\": " + task + ", \"index\": " + index
                + ", \"at\": \"2026-11-22T10:15:30.123Z\", \"type\": \"" + type
                + "\", \"agent\": null, \"token\": null, \"reason\": null}\n";
    }

    @Test
    void anEntryCutShortIsResumedWholeFromTheNextNode() {
        // Node A sends entry 5 whole (two events, then its id), then half of entry 6, and
        // drops; afterwards it is gone for good.
        AtomicInteger connections = new AtomicInteger();
        String fromA = ": keepalive\n\n" + event(5, 1, "completed") + "\n" + event(5, 2, "updated")
                + "id: 5\n\n" + event(6, 3, "claimed") + "\n";
        try (FakeNode a = new FakeNode(r -> connections.incrementAndGet() == 1
                ? json(200, fromA) : FakeNode.Reply.drop());
             // Node B resumes after entry 5, as Last-Event-ID asks.
             FakeNode b = new FakeNode(r -> json(200, event(6, 3, "claimed") + "\n"
                     + event(6, 4, "released") + "id: 6\n\n"));
             BatonClient client = BatonClient.builder().servers(a.address() + "," + b.address())
                     .build();
             EventStream events = client.events("q", 1L)) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                TaskEvent e = events.next();
                seen.add(e.index() + " " + e.queue() + "#" + e.id() + " " + e.type());
            }

            assertEquals(List.of("5 q#1 completed", "5 q#2 updated", "6 q#3 claimed",
                    "6 q#4 released"), seen);
            assertEquals(6, events.lastIndex());
            assertEquals("0", a.seen().get(0).lastEventId());
            assertEquals("/v1/events?queue=q", a.seen().get(0).path());
            assertEquals("5", b.seen().get(0).lastEventId());
        }
    }

    @Test
    void eventsTheClusterNoLongerKeepsAreGone() {
        try (FakeNode node = new FakeNode(r -> json(410,
                "{\"error\": {\"code\": \"gone\", \"message\": \"no longer kept\"}}"));
             BatonClient client = BatonClient.builder().servers(node.address()).build();
             EventStream events = client.events(null, 1L)) {
            RefusedException e = assertThrows(RefusedException.class, events::next);
            assertEquals(410, e.status());
            assertEquals("gone", e.code());
        }
    }
}
