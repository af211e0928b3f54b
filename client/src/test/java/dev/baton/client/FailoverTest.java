package dev.baton.client;

import static dev.baton.client.FakeNode.Reply.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failover and safe retries against fake nodes: which node is tried when, and that every attempt
 * of one write carries the same Idempotency-Key.
 */
class FailoverTest {
    private static final String CREATED = FakeNode.task("q", 1, "pending", null, null);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private FakeNode node(FakeNode.Route route) {
        FakeNode n = new FakeNode(route);
        open.add(n);
        return n;
    }

    /** A client whose attempts time out after 5 s: this machine may be slow, fakes are not. */
    private BatonClient client(Duration deadline, String... servers) {
        return client(Duration.ofSeconds(5), deadline, servers);
    }

    /** The HTTP engine under test; {@link NettyFailoverTest} runs every case on Netty's. */
    BatonClient.Http http() {
        return BatonClient.Http.JDK;
    }

    private BatonClient client(Duration timeout, Duration deadline, String... servers) {
        BatonClient c = BatonClient.builder().servers(List.of(servers)).http(http())
                .requestTimeout(timeout).retryDeadline(deadline).build();
        open.add(c);
        return c;
    }

    @Test
    void aRefusedConnectionMovesToTheNextNodeAndLaterCallsStartThere() {
        String dead = FakeNode.deadAddress();
        FakeNode live = node(r -> json(201, CREATED));
        BatonClient client = client(Duration.ofSeconds(5), dead, live.address());

        assertEquals(1, client.createTask("q", NewTask.of("s")).id());
        assertEquals(1, client.createTask("q", NewTask.of("s")).id());

        // Both calls reached the live node, the second without trying the dead one first.
        assertEquals(2, live.seen().size());
    }

    @Test
    void aFollowerThatNamesTheLeaderSendsTheNextCallsThere() {
        FakeNode leader = node(r -> json(201, CREATED));
        FakeNode follower = node(r -> new FakeNode.Reply(201, CREATED,
                Map.of("Baton-Leader", leader.address())));
        BatonClient client = client(Duration.ofSeconds(5), follower.address(),
                leader.address());

        client.createTask("q", NewTask.of("s"));
        client.createTask("q", NewTask.of("s"));
        client.createTask("q", NewTask.of("s"));

        // The follower answered the first call (nothing is sent twice) and named the leader.
        assertEquals(1, follower.seen().size());
        assertEquals(2, leader.seen().size());
    }

    @Test
    void aNamedLeaderThatJustFailedThisClientIsNotFollowed() {
        FakeNode leader = node(r -> new FakeNode.Reply(503,
                "{\"error\":{\"code\":\"unavailable\",\"message\":\"wedged\"}}",
                Map.of("Retry-After", "0")));
        FakeNode follower = node(r -> new FakeNode.Reply(201, CREATED,
                Map.of("Baton-Leader", leader.address())));
        BatonClient client = client(Duration.ofSeconds(5), leader.address(),
                follower.address());

        client.createTask("q", NewTask.of("s"));
        client.createTask("q", NewTask.of("s"));

        // The first call failed at the leader and went on; the second stays with the follower.
        assertEquals(1, leader.seen().size());
        assertEquals(2, follower.seen().size());
    }

    @Test
    void aLeaderNamedThatIsNotOneOfTheServersChangesNothing() {
        FakeNode follower = node(r -> new FakeNode.Reply(201, CREATED,
                Map.of("Baton-Leader", "10.9.9.9:7070")));
        FakeNode other = node(r -> json(201, CREATED));
        BatonClient client = client(Duration.ofSeconds(5), follower.address(),
                other.address());

        client.createTask("q", NewTask.of("s"));
        client.createTask("q", NewTask.of("s"));

        assertEquals(2, follower.seen().size());
        assertEquals(0, other.seen().size());
    }

    @Test
    void a503MovesToTheNextNodeWithTheSameIdempotencyKey() {
        FakeNode leaderless = node(r -> new FakeNode.Reply(503,
                "{\"error\":{\"code\":\"unavailable\",\"message\":\"no leader\"}}",
                Map.of("Retry-After", "0")));
        FakeNode healthy = node(r -> json(201, CREATED));
        BatonClient client = client(Duration.ofSeconds(5), leaderless.address(),
                healthy.address());

        client.createTask("q", NewTask.of("s"));

        String key = leaderless.seen().get(0).idempotencyKey();
        assertNotNull(key);
        assertEquals(key, healthy.seen().get(0).idempotencyKey());
        assertEquals(healthy.seen().get(0).body(), leaderless.seen().get(0).body());
    }

    @Test
    void aConnectionDroppedAfterAWriteWasSentIsRetriedElsewhereWithTheSameKey() {
        FakeNode dropping = node(r -> FakeNode.Reply.drop());
        FakeNode healthy = node(r -> json(200, "{\"claims\": []}"));
        BatonClient client = client(Duration.ofSeconds(5), dropping.address(),
                healthy.address());

        assertEquals(List.of(), client.claimNextTasks("q", ClaimNext.as("a"), "my-key"));

        assertEquals("my-key", dropping.seen().get(0).idempotencyKey());
        assertEquals("my-key", healthy.seen().get(0).idempotencyKey());
    }

    @Test
    void aTimedOutWriteIsRetriedElsewhereWithTheSameKey() {
        FakeNode slow = node(r -> {
            Thread.sleep(3_000);
            return json(201, CREATED);
        });
        FakeNode healthy = node(r -> json(201, CREATED));
        BatonClient client = client(Duration.ofMillis(500), Duration.ofSeconds(10),
                slow.address(), healthy.address());

        client.createTask("q", NewTask.of("s"));

        assertEquals(slow.seen().get(0).idempotencyKey(), healthy.seen().get(0).idempotencyKey());
    }

    @Test
    void aWriteThatEveryNodeDroppedHasAnUnknownOutcomeCarryingItsKey() {
        FakeNode a = node(r -> FakeNode.Reply.drop());
        FakeNode b = node(r -> FakeNode.Reply.drop());
        BatonClient client = client(Duration.ofMillis(800), a.address(), b.address());

        UnknownOutcomeException e = assertThrows(UnknownOutcomeException.class,
                () -> client.createTask("q", NewTask.of("s")));

        // Several attempts, one key, the one the exception hands back for a retry.
        Set<String> keys = new java.util.HashSet<>();
        a.seen().forEach(s -> keys.add(s.idempotencyKey()));
        b.seen().forEach(s -> keys.add(s.idempotencyKey()));
        assertEquals(Set.of(e.idempotencyKey()), keys);
        assertTrue(a.seen().size() + b.seen().size() >= 2);
    }

    @Test
    void aWriteThatNoNodeReceivedIsUnavailableWithinItsDeadline() {
        BatonClient client = client(Duration.ofMillis(600), FakeNode.deadAddress(),
                FakeNode.deadAddress());
        long start = System.nanoTime();

        assertThrows(UnavailableException.class, () -> client.createTask("q", NewTask.of("s")));

        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 3_000, "gave up after " + tookMs + " ms");
    }

    @Test
    void aReadAnsweredOnlyWith503sIsUnavailable() {
        FakeNode leaderless = node(r -> new FakeNode.Reply(503,
                "{\"error\":{\"code\":\"unavailable\",\"message\":\"no leader\"}}",
                Map.of("Retry-After", "0")));
        BatonClient client = client(Duration.ofMillis(500), leaderless.address());

        UnavailableException e = assertThrows(UnavailableException.class,
                () -> client.task("q", 1));
        assertTrue(e.getMessage().contains("no leader"), e.getMessage());
    }

    @Test
    void aRefusalIsAnsweredOnceAndNotRetried() {
        FakeNode a = node(r -> json(409, "{\"error\":{\"code\":\"already_claimed\","
                + "\"message\":\"held\",\"owner\":\"other\"}}"));
        FakeNode b = node(r -> json(200, "{}"));
        BatonClient client = client(Duration.ofSeconds(5), a.address(), b.address());

        ConflictException e = assertThrows(ConflictException.class,
                () -> client.claimTask("q", 1, "me"));

        assertEquals("other", e.owner());
        assertEquals(1, a.seen().size());
        assertEquals(0, b.seen().size());
    }

    @Test
    void retryAfterIsHonoured() {
        AtomicInteger calls = new AtomicInteger();
        FakeNode node = node(r -> calls.incrementAndGet() == 1
                ? new FakeNode.Reply(503, "{}", Map.of("Retry-After", "1"))
                : json(201, CREATED));
        BatonClient client = client(Duration.ofSeconds(5), node.address());
        long start = System.nanoTime();

        client.createTask("q", NewTask.of("s"));

        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs >= 900, "retried after " + tookMs + " ms");
    }

    @Test
    void readsCarryNoKeyWhileWritesCarryTheCallersKeyAndTheToken() {
        FakeNode node = node(r -> r.method().equals("GET") ? json(200, CREATED)
                : json(200, "{\"agent\": \"team/a\", \"ttlMs\": 5000, \"expiresAt\": "
                + "\"2026-11-22T10:15:30.123Z\", \"revived\": true, \"claims\": []}"));
        BatonClient client = BatonClient.builder().servers(node.address()).token("s3cret")
                .build();
        open.add(client);

        client.task("q", 1);
        PulseResult pulse = client.pulse("team/a", Duration.ofSeconds(5), "pulse-key-1");

        assertTrue(pulse.revived());
        FakeNode.Seen get = node.seen().get(0);
        FakeNode.Seen post = node.seen().get(1);
        assertEquals(null, get.idempotencyKey());
        assertEquals("Bearer s3cret", get.authorization());
        assertEquals("/v1/agents/team%2Fa/pulse", post.path());
        assertEquals("pulse-key-1", post.idempotencyKey());
        assertEquals("{\"ttlMs\":5000}", post.body().toString());
    }

    @Test
    void aFullRoundOfFailuresBacksOffButTheRestOfARoundDoesNot() {
        HttpClient http = HttpClient.newHttpClient();
        Transport t = new Transport(List.of("http://a", "http://b", "http://c"),
                new JdkHttpEngine(http), http, Duration.ofSeconds(1), null);
        assertEquals(0, t.pauseMs(0, null));
        assertEquals(0, t.pauseMs(1, null));
        long first = t.pauseMs(2, null);
        assertTrue(first >= 25 && first <= 50, "first backoff " + first);
        long later = t.pauseMs(29, null);
        assertTrue(later >= 500 && later <= 1_000, "capped backoff " + later);
        assertEquals(1_000, t.pauseMs(0, 1_000L));
    }

    @Test
    void serversAreGivenAsHostPortListsOrUrls() {
        BatonClient client = BatonClient.builder()
                .servers(" 127.0.0.1:7070, http://127.0.0.1:7071/ ,https://h:1").build();
        open.add(client);
        assertEquals(List.of("http://127.0.0.1:7070", "http://127.0.0.1:7071", "https://h:1"),
                client.servers());
        assertEquals("", client.servers().stream().filter(String::isEmpty)
                .collect(Collectors.joining()));
    }
}
