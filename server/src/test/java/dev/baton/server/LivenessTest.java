package dev.baton.server;

import static dev.baton.server.ClaimSteps.json;
import static dev.baton.server.ClaimSteps.last;
import static dev.baton.server.ClaimSteps.ms;
import static dev.baton.server.ClaimSteps.types;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Agents and liveness section of ../shared/API.md on a steady cluster: a silent agent's
 * claims expire about one TTL after its last renewal, and an owner that is alive but sends
 * nothing for a task with {@code stallMs} is told apart from a dead one. Leader changes are
 * {@link LeaderChangeLivenessTest}'s.
 *
 * <p>Timing: the leader expires a session no sooner than min(leaseGraceMs, TTL) after it took
 * over, which cannot delay a session that started after the leader did, so the expiry tests
 * need no settling. Stalls wait out the full leaseGraceMs (5 s here) after a takeover, so the
 * stall tests first make sure the leader has led that long.
 */
class LivenessTest {
    private static final long GRACE_MS = 5_000;

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static ClaimSteps steps;
    static long leaderReadyBy;
    static long firstTerm;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.started(dir, 3, 100_000);
        leaderReadyBy = System.nanoTime();
        steps = new ClaimSteps(cluster);
        firstTerm = term();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void anAgentThatStopsPulsingLosesItsTaskWithinOneSecondOfItsTtl() {
        String q = "silent";
        long id = steps.createId(0, q, json("subject", "abandoned"));
        long termBefore = term();

        // The agent opens a 2 s session, then claims: the claim is its last renewal.
        assertTrue(steps.pulse(0, "quitter", 2_000).body().get("revived").asBoolean());
        Http.Reply claim = steps.claim(1, q, id, "quitter");
        long lastRenewal = System.nanoTime();
        assertEquals(200, claim.status(), claim.body().toString());
        long token = claim.body().get("token").asLong();
        long renewedAtMs = ms(claim.body().get("task").get("claimedAt"));
        assertEquals(renewedAtMs + 2_000, ms(steps.session(2, "quitter").get("expiresAt")),
                "the claim keeps the session's 2 s TTL");

        // It falls silent. Within TTL + 1 s of that renewal the task is back.
        long left = lastRenewal + TimeUnit.MILLISECONDS.toNanos(3_000) - System.nanoTime();
        await().atMost(Duration.ofNanos(Math.max(left, 0))).pollInterval(Duration.ofMillis(50))
                .until(() -> steps.get(2, q, id).get("status").asText().equals("pending"));
        JsonNode events = steps.events(0, q, id);
        JsonNode expired = last(events, "expired");
        assertNotNull(expired, events.toString());
        long expiredAfterMs = ms(expired.get("at")) - renewedAtMs;
        System.out.println("expiry: TTL 2000 ms, expired " + expiredAfterMs
                + " ms after the last renewal (leader time)");
        assertTrue(expiredAfterMs >= 2_000 && expiredAfterMs <= 3_000,
                "expired " + expiredAfterMs + " ms after the last renewal; term "
                        + termBefore + " -> " + term());
        assertEquals("quitter", expired.get("agent").asText());
        assertEquals(token, expired.get("token").asLong());
        JsonNode t = steps.get(1, q, id);
        assertEquals(1, t.get("attempts").asInt());
        assertTrue(t.get("owner").isNull());
        assertTrue(t.get("ready").asBoolean());
        assertNull(steps.session(1, "quitter"));

        // Its late complete is fenced off; another agent takes the task with a higher token.
        Http.Reply late = steps.complete(0, q, id, token);
        assertEquals(409, late.status(), late.body().toString());
        assertEquals("stale_token", late.code());
        long next = steps.claimed(2, q, id, "successor");
        assertTrue(next > token, next + " > " + token);

        // When the quitter comes back, it starts afresh, holding nothing.
        JsonNode back = steps.pulse(1, "quitter", 2_000).body();
        assertTrue(back.get("revived").asBoolean());
        assertTrue(back.get("claims").isEmpty());
        assertEquals(200, Http.delete(cluster.url(0) + "/v1/agents/quitter").status());
    }

    @Test
    void aTaskWhoseOwnerExpiresOnItsLastAttemptFails() {
        String q = "last-attempt";
        long id = steps.createId(0, q, json("subject", "one shot", "maxAttempts", 1));
        steps.pulse(0, "one-shot", 1_000);
        steps.claimed(1, q, id, "one-shot");
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50))
                .until(() -> steps.get(2, q, id).get("status").asText().equals("failed"));
        JsonNode t = steps.get(0, q, id);
        assertEquals(1, t.get("attempts").asInt());
        // Why it failed, on the task itself, not only in its history.
        assertEquals("lease_expired", t.get("failure").asText());
        assertEquals(List.of("created", "claimed", "expired"), types(steps.events(1, q, id)));
        assertEquals("not_claimable", steps.claim(2, q, id, "another").code());
    }

    @Test
    void aPulsingOwnerThatReportsNoProgressLosesAStalledTaskButKeepsOneItReportsOn()
            throws Exception {
        awaitLeaseGraceOver();
        String q = "stall";
        long quiet = steps.createId(0, q, json("subject", "stuck", "stallMs", 1_000));
        long busy = steps.createId(0, q, json("subject", "working", "stallMs", 1_000));
        long termBefore = term();

        // The agent is alive: it pulses every 300 ms with a 2 s TTL throughout.
        assertEquals(200, steps.pulse(0, "staller", 2_000).status());
        long quietToken = steps.claimed(1, q, quiet, "staller");
        long quietClaimedAt = System.nanoTime();
        long busyToken = steps.claimed(1, q, busy, "staller");
        long busyClaimedAt = System.nanoTime();
        AtomicInteger refused = new AtomicInteger();
        ScheduledExecutorService agent = Executors.newSingleThreadScheduledExecutor();
        try {
            agent.scheduleWithFixedDelay(() -> {
                // It pulses, and reports progress on one task only.
                try {
                    count(refused, steps.pulse(2, "staller", 2_000));
                    count(refused, steps.act(0, q, busy, "progress", json("token", busyToken,
                            "note", "still going")));
                } catch (RuntimeException e) {
                    refused.incrementAndGet(); // Counted, so that the loop goes on.
                    System.out.println("agent call failed: " + e);
                }
            }, 300, 300, TimeUnit.MILLISECONDS);

            // The silent task is released as stalled about stallMs after its claim.
            long left = quietClaimedAt + TimeUnit.MILLISECONDS.toNanos(2_500) - System.nanoTime();
            await().atMost(Duration.ofNanos(Math.max(left, 0)))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> steps.get(2, q, quiet).get("status").asText().equals("pending"));
            JsonNode quietEvents = steps.events(0, q, quiet);
            JsonNode stalled = last(quietEvents, "stalled");
            assertNotNull(stalled, quietEvents.toString());
            long stalledAfterMs = ms(stalled.get("at")) - ms(quietEvents.get(1).get("at"));
            System.out.println("stall: stallMs 1000, stalled " + stalledAfterMs
                    + " ms after the claim (leader time)");
            assertTrue(stalledAfterMs >= 1_000 && stalledAfterMs <= 2_000,
                    "stalled after " + stalledAfterMs + " ms; term " + termBefore + " -> "
                            + term());
            assertEquals(quietToken, stalled.get("token").asLong());
            assertEquals("staller", stalled.get("agent").asText());
            assertEquals(1, steps.get(1, q, quiet).get("attempts").asInt());
            assertEquals("stale_token", steps.complete(1, q, quiet, quietToken).code());

            // The task it reports on stays claimed for 3 s: three stallMs, past one TTL.
            // This proves something does not happen, so it has to last a while.
            long until = busyClaimedAt + TimeUnit.MILLISECONDS.toNanos(3_000);
            while (System.nanoTime() < until) {
                Thread.sleep(100);
            }
            JsonNode t = steps.get(2, q, busy);
            assertEquals("in_progress", t.get("status").asText(), t.toString());
            assertEquals(busyToken, t.get("token").asLong());
            assertEquals(List.of("created", "claimed"), types(steps.events(0, q, busy)));
            assertEquals(0, refused.get(), "pulses or progress refused");

            // The agent lives on, holding only the task it reported on.
            JsonNode claims = steps.session(0, "staller").get("claims");
            assertEquals(1, claims.size(), claims.toString());
            assertEquals(busy, claims.get(0).get("id").asLong());
        } finally {
            agent.shutdownNow();
            agent.awaitTermination(5, TimeUnit.SECONDS);
        }
        Http.delete(cluster.url(0) + "/v1/agents/staller");
    }

    @Test
    void aReclaimByTheOwnerCountsAsActivityForStallMs() throws Exception {
        // API.md: a task is stalled when its owner "has sent no progress, complete or claim
        // for it for stallMs". An owner that re-claims its task is active on it.
        awaitLeaseGraceOver();
        String q = "stall-reclaim";
        long id = steps.createId(0, q, json("subject", "kept by re-claims", "stallMs", 1_000));
        long token = steps.claimed(0, q, id, "reclaimer");
        long claimedAt = System.nanoTime();

        // Re-claim every 300 ms for 2.5 s, well past stallMs; the claim must hold throughout.
        long until = claimedAt + TimeUnit.MILLISECONDS.toNanos(2_500);
        while (System.nanoTime() < until) {
            Thread.sleep(300);
            Http.Reply again = steps.claim(1, q, id, "reclaimer");
            String what = "re-claim " + (System.nanoTime() - claimedAt) / 1_000_000
                    + " ms after the claim answered " + again.body() + "; history "
                    + steps.events(0, q, id);
            assertEquals(200, again.status(), what);
            assertTrue(again.body().get("reclaimed").asBoolean(), what);
            assertEquals(token, again.body().get("token").asLong(), what);
        }
        assertEquals(List.of("created", "claimed"), types(steps.events(2, q, id)));
        Http.delete(cluster.url(0) + "/v1/agents/reclaimer");
    }

    private static void count(AtomicInteger refused, Http.Reply r) {
        if (r.status() != 200) {
            refused.incrementAndGet();
            System.out.println("refused: " + r.body());
        }
    }

    /**
     * A leader proposes no stall until it has led for leaseGraceMs. The cluster's first leader
     * was ready when the class started it; wait out whatever remains of its grace, with a margin.
     */
    private static void awaitLeaseGraceOver() {
        long over = leaderReadyBy + TimeUnit.MILLISECONDS.toNanos(GRACE_MS + 500);
        await().atMost(Duration.ofMillis(GRACE_MS + 1_000)).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() >= over);
        assertEquals(firstTerm, term(), "a leader change since the start restarted the grace");
    }


    private static long term() {
        return Http.get(cluster.url(0) + "/v1/cluster").body().get("term").asLong();
    }
}
