package dev.baton.client;

import static dev.baton.client.FakeNode.Reply.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The calls for callers that want the server's JSON as it is (the command line's --json):
 * {@code send} with a hold for long polls, {@code decode} into the records, and
 * {@code pathSegment} for building paths.
 */
class AnyCallTest {
    @Test
    void aHeldCallGetsItsHoldOnTopOfTheTimeoutAndTheDeadline() {
        // The node answers after 1.5 s, as a claim-next waiting for work would: past the
        // client's 1 s timeout and deadline, but within them plus the hold.
        try (FakeNode node = new FakeNode(r -> {
            Thread.sleep(1_500);
            return json(200, "{\"claims\": []}");
        });
             BatonClient client = BatonClient.builder().servers(node.address())
                     .requestTimeout(Duration.ofSeconds(1)).retryDeadline(Duration.ofSeconds(1))
                     .build()) {
            JsonNode answer = client.send("POST", "/v1/queues/q/claim", Wire.object()
                    .put("agent", "a").put("waitMs", 2_000), "key-1", Duration.ofSeconds(2));
            assertTrue(answer.path("claims").isArray());
            assertEquals("key-1", node.seen().get(0).idempotencyKey());
            assertThrows(UnknownOutcomeException.class, () -> client.send("POST",
                    "/v1/queues/q/claim", Wire.object().put("agent", "a"), "key-2",
                    Duration.ZERO));
        }
    }

    @Test
    void anAnswerDecodesIntoTheRecordsAsTheTypedCallsReadIt() {
        JsonNode json = Wire.parse(FakeNode.task("q", 41, "in_progress", "agent:a", 7L));
        Task task = BatonClient.decode(json, Task.class);
        assertEquals(41, task.id());
        assertEquals(TaskStatus.IN_PROGRESS, task.status());
        assertNotNull(task.createdAt());
        assertThrows(BatonException.class, () -> BatonClient.decode(Wire.parse("[1]"),
                Task.class));
    }

    @Test
    void aPathSegmentIsEncodedAsTheClientEncodesAgentNames() {
        assertEquals("agent:run_7a1", BatonClient.pathSegment("agent:run_7a1"));
        assertEquals("ci%2Fjob-4@host", BatonClient.pathSegment("ci/job-4@host"));
        assertEquals("a%20b", BatonClient.pathSegment("a b"));
    }
}
