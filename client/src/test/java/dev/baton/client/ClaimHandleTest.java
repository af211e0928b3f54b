package dev.baton.client;

import static dev.baton.client.Eventually.eventually;
import static dev.baton.client.FakeNode.Reply.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A claim handle against a fake node that plays one task, q#1, claimed with token 7: the handle
 * pulses its agent, learns from a pulse that its claim is gone, releases on close, and retries an
 * unknown complete with the same key.
 */
class ClaimHandleTest {
    private final AtomicBoolean held = new AtomicBoolean(true);
    private final AtomicBoolean dropCompletes = new AtomicBoolean(false);
    private final FakeNode node = new FakeNode(this::answer);
    private final BatonClient client = BatonClient.builder().servers(node.address())
            .sessionTtl(Duration.ofMillis(1_500)).retryDeadline(Duration.ofMillis(500)).build();

    private FakeNode.Reply answer(FakeNode.Seen r) {
        String path = r.path();
        if (path.equals("/v1/queues/q/tasks/1/claim")) {
            return json(200, "{\"task\": " + FakeNode.task("q", 1, "in_progress", "a", 7L)
                    + ", \"token\": 7, \"reclaimed\": false}");
        }
        if (path.equals("/v1/agents/a/pulse")) {
            return json(200, "{\"agent\": \"a\", \"ttlMs\": 1500, \"expiresAt\": "
                    + "\"2026-11-22T10:15:30.123Z\", \"revived\": false, \"claims\": "
                    + (held.get() ? "[{\"queue\": \"q\", \"id\": 1, \"token\": 7}]" : "[]")
                    + "}");
        }
        if (path.equals("/v1/queues/q/tasks/1/complete")) {
            if (dropCompletes.get()) {
                return FakeNode.Reply.drop();
            }
            if (!held.get()) {
                return json(409, "{\"error\": {\"code\": \"stale_token\", \"message\": \"m\"}}");
            }
            return json(200, FakeNode.task("q", 1, "completed", null, null));
        }
        if (path.equals("/v1/queues/q/tasks/1/release")) {
            return json(200, FakeNode.task("q", 1, "pending", null, null));
        }
        return json(404, "{\"error\": {\"code\": \"not_found\", \"message\": \"" + path + "\"}}");
    }

    @AfterEach
    void close() {
        client.close();
        node.close();
    }

    private long pulses() {
        return node.seen().stream().filter(s -> s.path().endsWith("/pulse")).count();
    }

    @Test
    void aHandleIsKeptAliveUntilAPulseNoLongerListsItsClaim() {
        ClaimHandle claim = client.claim("q", 1, "a");
        assertEquals(7, claim.token());

        // It pulses at once and then every TTL/3, and the pulses list the claim.
        eventually(Duration.ofSeconds(5), () -> pulses() >= 3, "three pulses");
        assertFalse(claim.isLost());
        assertTrue(client.keepAlives().isActive("a"));

        // The session stops listing the claim (it expired during a partition, say).
        held.set(false);
        eventually(Duration.ofSeconds(5), claim::isLost, "the claim is seen lost");
        assertFalse(client.keepAlives().isActive("a"), "pulsing stops with the last claim");

        // Completing it anyway is refused by the server, as for any stale token.
        ConflictException e = assertThrows(ConflictException.class, () -> claim.complete("x"));
        assertEquals(RefusedException.STALE_TOKEN, e.code());
    }

    @Test
    void closingAnOpenHandleReleasesItsClaimAndStopsPulsing() {
        try (ClaimHandle claim = client.claim("q", 1, "a")) {
            assertTrue(claim.isOpen());
        }
        FakeNode.Seen release = node.seen().stream()
                .filter(s -> s.path().endsWith("/release")).findFirst().orElseThrow();
        assertEquals("{\"token\":7}", release.body().toString());
        assertFalse(client.keepAlives().isActive("a"));
    }

    @Test
    void aCompleteWithAnUnknownOutcomeIsSentAgainWithTheSameKey() {
        ClaimHandle claim = client.claim("q", 1, "a");
        dropCompletes.set(true);
        UnknownOutcomeException unknown = assertThrows(UnknownOutcomeException.class,
                () -> claim.complete("done"));
        assertTrue(claim.isOpen());

        // The answer was lost, so the caller calls again, and the handle reuses the key.
        dropCompletes.set(false);
        Task t = claim.complete("done");

        assertEquals(TaskStatus.COMPLETED, t.status());
        List<String> keys = node.seen().stream().filter(s -> s.path().endsWith("/complete"))
                .map(FakeNode.Seen::idempotencyKey).distinct().toList();
        assertEquals(List.of(unknown.idempotencyKey()), keys);
        assertFalse(claim.isOpen());
        assertThrows(IllegalStateException.class, () -> claim.complete("again"));
        claim.close(); // Ended already: nothing to release.
        assertEquals(0, node.seen().stream().filter(s -> s.path().endsWith("/release")).count());
    }
}
