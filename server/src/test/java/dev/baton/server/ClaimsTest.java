package dev.baton.server;

import static dev.baton.server.ClaimSteps.json;
import static dev.baton.server.ClaimSteps.last;
import static dev.baton.server.ClaimSteps.ms;
import static dev.baton.server.ClaimSteps.types;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Claims section of ../shared/API.md over HTTP against one three-node cluster: races,
 * a concurrent drain, every refusal, every transition, the filters and the long poll of
 * claim-next. Each test works in its own queue and with its own agent names. Agents here keep
 * the default TTL (30 s), so nothing expires during a test; expiry is LivenessTest's.
 */
class ClaimsTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;
    static ClaimSteps steps;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.started(dir, 3, 100_000);
        steps = new ClaimSteps(cluster);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    // ----- exactly one winner -----

    @Test
    void sixtyFourAgentsRacingForOneTaskThroughAllThreeNodesLeaveExactlyOneWinner() {
        String q = "race";
        long id = steps.createId(0, q, json("subject", "contested"));

        // 64 agents fire at once, spread over the three nodes.
        List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            replies.add(Http.postAsync(steps.task(i % 3, q, id) + "/claim",
                    json("agent", "racer-" + i)));
        }
        List<String> winners = new ArrayList<>();
        long winningToken = -1;
        List<Http.Reply> losers = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            Http.Reply r = replies.get(i).join();
            if (r.status() == 200) {
                winners.add("racer-" + i);
                winningToken = r.body().get("token").asLong();
                assertFalse(r.body().get("reclaimed").asBoolean());
            } else {
                losers.add(r);
            }
        }

        // Exactly one 200; every other answer is 409 already_claimed naming the winner.
        assertEquals(1, winners.size(), "winners: " + winners);
        String winner = winners.get(0);
        assertEquals(63, losers.size());
        for (Http.Reply r : losers) {
            assertEquals(409, r.status(), r.body().toString());
            assertEquals("already_claimed", r.code());
            assertEquals(winner, r.body().get("error").get("owner").asText());
        }

        // The task agrees on every node, and its history holds a single claim.
        for (int node = 0; node < 3; node++) {
            JsonNode t = steps.get(node, q, id);
            assertEquals("in_progress", t.get("status").asText());
            assertEquals(winner, t.get("owner").asText());
            assertEquals(winningToken, t.get("token").asLong());
        }
        assertEquals(List.of("created", "claimed"), types(steps.events(1, q, id)));
    }

    @Test
    void thirtyTwoAgentsDrainTwoThousandTasksClaimingAndCompletingEachExactlyOnce()
            throws Exception {
        String q = "drain";
        int taskCount = 2_000;
        int agentCount = 32;

        // 2,000 tasks, created by concurrent posts through all three nodes.
        long creating = System.nanoTime();
        List<CompletableFuture<Http.Reply>> inFlight = new ArrayList<>();
        for (int i = 0; i < taskCount; i++) {
            inFlight.add(Http.postAsync(steps.tasks(i % 3, q), json("subject", "job " + i)));
            if (inFlight.size() == 200 || i == taskCount - 1) {
                for (CompletableFuture<Http.Reply> f : inFlight) {
                    assertEquals(201, f.join().status());
                }
                inFlight.clear();
            }
        }
        assertEquals(taskCount, steps.counts(0, q).get("pending").asLong());
        System.out.printf("drain: %d tasks created in %d ms%n", taskCount,
                (System.nanoTime() - creating) / 1_000_000);

        // 32 agents, each bound to one node, loop claim-next -> complete until claim-next
        // answers nothing and nothing is pending any more.
        Map<Long, String> grantedTo = new ConcurrentHashMap<>();
        AtomicInteger grants = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(agentCount);
        long started = System.nanoTime();
        try {
            List<Callable<Integer>> agents = new ArrayList<>();
            for (int a = 0; a < agentCount; a++) {
                int node = a % 3;
                String agent = "drainer-" + a;
                agents.add(() -> {
                    int mine = 0;
                    while (true) {
                        Http.Reply r = steps.claimNext(node, q, json("agent", agent));
                        assertEquals(200, r.status(), r.body().toString());
                        JsonNode claims = r.body().get("claims");
                        if (claims.isEmpty()) {
                            if (steps.counts(node, q).get("pending").asLong() == 0) {
                                return mine;
                            }
                            continue;
                        }
                        for (JsonNode c : claims) {
                            long id = c.get("task").get("id").asLong();
                            grants.incrementAndGet();
                            mine++;
                            if (grantedTo.putIfAbsent(id, agent) != null) {
                                duplicates.incrementAndGet();
                            }
                            Http.Reply done = steps.complete(node, q, id,
                                    c.get("token").asLong());
                            assertEquals(200, done.status(), done.body().toString());
                        }
                    }
                });
            }
            List<Future<Integer>> results = pool.invokeAll(agents, 180, TimeUnit.SECONDS);
            for (Future<Integer> f : results) {
                f.get(); // Rethrows an agent's failed assertion.
            }
        } finally {
            pool.shutdownNow();
        }
        long drainMs = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("drain: %d grants by %d agents in %d ms = %.0f claims/s%n",
                grants.get(), agentCount, drainMs, grants.get() * 1000.0 / drainMs);

        // Every task was handed out exactly once, and all are completed.
        assertEquals(0, duplicates.get(), "tasks handed to two agents");
        assertEquals(taskCount, grants.get());
        assertEquals(taskCount, grantedTo.size());
        JsonNode counts = steps.counts(1, q);
        assertEquals(taskCount, counts.get("completed").asLong(), counts.toString());
        assertEquals(0, counts.get("pending").asLong());
        assertEquals(0, counts.get("in_progress").asLong());

        // Each task's history: created, claimed, completed, by the agent that was granted it,
        // under one token; read concurrently through all three nodes.
        ExecutorService readers = Executors.newFixedThreadPool(16);
        // A log entry may carry several claims (group commit): tokens by entry index.
        Map<Long, List<Long>> tokensAtIndex = new ConcurrentHashMap<>();
        Set<Long> tokens = ConcurrentHashMap.newKeySet();
        try {
            List<Callable<Void>> reads = new ArrayList<>();
            for (long id = 1; id <= taskCount; id++) {
                long taskId = id;
                reads.add(() -> {
                    JsonNode events = steps.events((int) (taskId % 3), q, taskId);
                    assertEquals(List.of("created", "claimed", "completed"), types(events),
                            "task " + taskId);
                    JsonNode claimed = events.get(1);
                    JsonNode completed = events.get(2);
                    assertEquals(grantedTo.get(taskId), claimed.get("agent").asText());
                    assertEquals(claimed.get("token"), completed.get("token"));
                    long token = claimed.get("token").asLong();
                    assertTrue(tokens.add(token), "token " + token + " granted twice");
                    tokensAtIndex.computeIfAbsent(claimed.get("index").asLong(),
                            k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(token);
                    return null;
                });
            }
            for (Future<Void> f : readers.invokeAll(reads, 120, TimeUnit.SECONDS)) {
                f.get();
            }
        } finally {
            readers.shutdownNow();
        }
        int completed = 0;
        for (long after = 0; ; ) {
            JsonNode page = Http.get(steps.tasks(2, q) + "?status=completed&limit=1000&afterId="
                    + after).body();
            completed += page.get("tasks").size();
            if (page.get("nextAfterId").isNull()) {
                break;
            }
            after = page.get("nextAfterId").asLong();
        }
        assertEquals(taskCount, completed);

        System.out.printf("drain: histories and lists checked in %d ms%n",
                (System.nanoTime() - started) / 1_000_000 - drainMs);

        // Fencing tokens strictly increase in log order: every token of an entry exceeds
        // every token of the entries before it.
        long previous = Long.MIN_VALUE;
        for (Map.Entry<Long, List<Long>> e : new TreeMap<>(tokensAtIndex).entrySet()) {
            long lowest = java.util.Collections.min(e.getValue());
            assertTrue(lowest > previous, "token " + lowest + " at index " + e.getKey()
                    + " does not exceed " + previous);
            previous = java.util.Collections.max(e.getValue());
        }
    }

    // ----- every refusal -----

    @Test
    void aSecondAgentIsToldTheOwnerAndTheOwnerReclaimsIdempotently() {
        String q = "reclaim";
        long id = steps.createId(0, q, json("subject", "mine"));
        Http.Reply first = steps.claim(0, q, id, "first");
        assertEquals(200, first.status(), first.body().toString());
        assertFalse(first.body().get("reclaimed").asBoolean());
        long token = first.body().get("token").asLong();
        String claimedAt = first.body().get("task").get("claimedAt").asText();

        // Another agent: 409 already_claimed, with the owner.
        Http.Reply other = steps.claim(1, q, id, "second");
        assertEquals(409, other.status());
        assertEquals("already_claimed", other.code());
        assertEquals("first", other.body().get("error").get("owner").asText());
        assertFalse(other.body().get("error").get("message").asText().isBlank());

        // The owner again, through another node: the same token, reclaimed, nothing changed.
        Http.Reply again = steps.claim(2, q, id, "first");
        assertEquals(200, again.status(), again.body().toString());
        assertTrue(again.body().get("reclaimed").asBoolean());
        assertEquals(token, again.body().get("token").asLong());
        assertEquals(claimedAt, again.body().get("task").get("claimedAt").asText());
        assertEquals(claimedAt, steps.get(1, q, id).get("claimedAt").asText());
        assertEquals(List.of("created", "claimed"), types(steps.events(0, q, id)));
    }

    @Test
    void completedFailedAndDeletedTasksAreNotClaimableAndSayWhy() {
        String q = "finished";
        long done = steps.createId(0, q, json("subject", "done"));
        long failed = steps.createId(0, q, json("subject", "failed"));
        long deleted = steps.createId(0, q, json("subject", "deleted"));
        assertEquals(200, steps.complete(1, q, done, steps.claimed(1, q, done, "w")).status());
        assertEquals(200, steps.act(2, q, failed, "fail", json("token",
                steps.claimed(2, q, failed, "w"), "reason", "broken", "retry", false)).status());
        assertEquals(200, Http.delete(steps.task(0, q, deleted)).status());

        Map<Long, String> expected = Map.of(done, "completed", failed, "failed",
                deleted, "deleted");
        for (Map.Entry<Long, String> e : expected.entrySet()) {
            Http.Reply r = steps.claim(1, q, e.getKey(), "late");
            assertEquals(409, r.status(), r.body().toString());
            assertEquals("not_claimable", r.code());
            assertEquals(e.getValue(), r.body().get("error").get("status").asText());
        }
        assertEquals(404, steps.claim(0, q, 99, "late").status());
        assertEquals("not_found", steps.claim(0, q, 99, "late").code());
    }

    @Test
    void blockedAndDelayedTasksAreRefusedWithTheirReasons() {
        String q = "not-yet";
        long blocker = steps.createId(0, q, json("subject", "first"));
        long waiting = steps.createId(0, q, json("subject", "second",
                "blockedBy", List.of(blocker)));
        long delayed = steps.createId(0, q, json("subject", "later", "delayMs", 60_000));

        Http.Reply blocked = steps.claim(1, q, waiting, "eager");
        assertEquals(409, blocked.status(), blocked.body().toString());
        assertEquals("blocked", blocked.code());
        assertEquals("[" + blocker + "]", blocked.body().get("error").get("blockedBy")
                .toString());

        Http.Reply notReady = steps.claim(2, q, delayed, "eager");
        assertEquals(409, notReady.status(), notReady.body().toString());
        assertEquals("not_ready", notReady.code());

        // Once the blocker completes, the dependent can be claimed.
        assertEquals(200, steps.complete(0, q, blocker,
                steps.claimed(0, q, blocker, "eager")).status());
        assertEquals(200, steps.claim(1, q, waiting, "eager").status());
    }

    @Test
    void aTaskWhoseResourcesOverlapAnInProgressOneConflictsUntilThatOneEnds() {
        String q = "globs";
        long tree = steps.createId(0, q, json("subject", "refactor", "resources",
                List.of("src/**")));
        long file = steps.createId(0, q, json("subject", "fix", "resources",
                List.of("src/api/x.py")));
        long docs = steps.createId(0, q, json("subject", "docs", "resources",
                List.of("docs/**")));
        long treeToken = steps.claimed(0, q, tree, "refactorer");

        // src/api/x.py lies under src/**: 409 resource_conflict naming the holder.
        Http.Reply conflict = steps.claim(1, q, file, "fixer");
        assertEquals(409, conflict.status(), conflict.body().toString());
        assertEquals("resource_conflict", conflict.code());
        assertEquals("[" + tree + "]", conflict.body().get("error").get("conflicts").toString());
        // claim-next passes it over too, and hands out the unrelated one.
        JsonNode next = steps.claimNext(2, q, json("agent", "fixer", "count", 5)).body();
        assertEquals(1, next.get("claims").size(), next.toString());
        assertEquals(docs, next.get("claims").get(0).get("task").get("id").asLong());

        // The holder completes; the conflict is gone.
        assertEquals(200, steps.complete(0, q, tree, treeToken).status());
        assertEquals(200, steps.claim(1, q, file, "fixer").status());
    }

    @Test
    void aWrongTokenIsStaleForEveryOwnerCallAndChangesNothing() {
        String q = "stale";
        long id = steps.createId(0, q, json("subject", "guarded"));
        long token = steps.claimed(0, q, id, "holder");
        assertEquals(200, steps.pulse(0, "bystander", 30_000).status());
        String before = steps.get(0, q, id).toString();
        int eventsBefore = steps.events(0, q, id).size();
        long wrong = token + 1_000_000;

        Map<String, String> calls = new TreeMap<>(Map.of(
                "progress", json("token", wrong, "note", "sneaky", "percent", 10),
                "complete", json("token", wrong, "result", "forged"),
                "fail", json("token", wrong, "reason", "forged"),
                "release", json("token", wrong),
                "handoff", json("token", wrong, "to", "bystander")));
        int node = 0;
        for (Map.Entry<String, String> call : calls.entrySet()) {
            Http.Reply r = steps.act(node++ % 3, q, id, call.getKey(), call.getValue());
            assertEquals(409, r.status(), call.getKey() + " -> " + r.body());
            assertEquals("stale_token", r.code(), call.getKey());
        }

        // Nothing changed: the same task, the same history.
        assertEquals(before, steps.get(1, q, id).toString());
        assertEquals(eventsBefore, steps.events(2, q, id).size());
    }

    @Test
    void aHandoffToAnAgentWithoutALiveSessionIsRefused() {
        String q = "handoff-nobody";
        long id = steps.createId(0, q, json("subject", "pass it on"));
        long token = steps.claimed(0, q, id, "passer");
        Http.Reply r = steps.act(1, q, id, "handoff", json("token", token, "to", "nobody-here"));
        assertEquals(409, r.status(), r.body().toString());
        assertEquals("agent_not_live", r.code());
        JsonNode t = steps.get(2, q, id);
        assertEquals("passer", t.get("owner").asText());
        assertEquals(token, t.get("token").asLong());
    }

    // ----- transitions -----

    @Test
    void aFailureWithRetryCountsAnAttemptAndRequeuesAfterItsRetryDelay() {
        String q = "fail-retry";
        long id = steps.createId(0, q, json("subject", "flaky", "maxAttempts", 3));

        // Fail with retry: back to pending and ready, one attempt counted.
        long first = steps.claimed(0, q, id, "worker");
        JsonNode t = steps.act(1, q, id, "fail", json("token", first, "reason", "flaked"))
                .body();
        assertEquals("pending", t.get("status").asText(), t.toString());
        assertEquals(1, t.get("attempts").asInt());
        assertEquals("flaked", t.get("failure").asText());
        assertTrue(t.get("owner").isNull());
        assertTrue(t.get("token").isNull());
        assertTrue(t.get("ready").asBoolean());
        JsonNode failed = last(steps.events(2, q, id), "failed");
        assertEquals("flaked", failed.get("reason").asText());
        assertEquals(first, failed.get("token").asLong());

        // Fail with retryDelayMs: pending but not ready until the delay passes.
        long second = steps.claimed(0, q, id, "worker");
        t = steps.act(1, q, id, "fail", json("token", second, "reason", "again",
                "retryDelayMs", 1_500)).body();
        assertEquals("pending", t.get("status").asText(), t.toString());
        assertEquals(2, t.get("attempts").asInt());
        assertFalse(t.get("ready").asBoolean());
        long notBefore = ms(t.get("notBefore"));
        assertEquals(ms(t.get("updatedAt")) + 1_500, notBefore);
        assertEquals("not_ready", steps.claim(2, q, id, "worker").code());
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(50))
                .until(() -> steps.get(2, q, id).get("ready").asBoolean());
        assertTrue(System.currentTimeMillis() >= notBefore);
        long third = steps.claimed(2, q, id, "worker");
        assertTrue(third > second);
    }

    @Test
    void aFailureAtMaxAttemptsOrWithoutRetryIsFinal() {
        String q = "fail-final";
        long twice = steps.createId(0, q, json("subject", "two tries", "maxAttempts", 2));
        long once = steps.createId(0, q, json("subject", "no retry"));

        // maxAttempts 2: the first failure requeues, the second is final.
        assertEquals("pending", steps.act(1, q, twice, "fail", json("token",
                steps.claimed(0, q, twice, "w"), "reason", "one")).body().get("status")
                .asText());
        JsonNode t = steps.act(1, q, twice, "fail", json("token",
                steps.claimed(0, q, twice, "w"), "reason", "two")).body();
        assertEquals("failed", t.get("status").asText(), t.toString());
        assertEquals(2, t.get("attempts").asInt());
        assertEquals("two", t.get("failure").asText());
        assertEquals("not_claimable", steps.claim(2, q, twice, "w").code());

        // retry=false: failed at once, whatever attempts remain.
        t = steps.act(2, q, once, "fail", json("token", steps.claimed(0, q, once, "w"),
                "reason", "hopeless", "retry", false)).body();
        assertEquals("failed", t.get("status").asText(), t.toString());
        assertEquals(1, t.get("attempts").asInt());
        assertEquals(List.of("created", "claimed", "failed"), types(steps.events(1, q, once)));
        JsonNode counts = steps.counts(0, q);
        assertEquals(2, counts.get("failed").asLong(), counts.toString());
    }

    @Test
    void aReleasePutsTheTaskBackWithoutCountingAnAttemptAndClearsItsProgress() {
        String q = "release";
        long id = steps.createId(0, q, json("subject", "put back"));
        long token = steps.claimed(0, q, id, "releaser");
        assertEquals(200, steps.act(1, q, id, "progress", json("token", token,
                "note", "started", "percent", 10)).status());

        JsonNode t = steps.act(2, q, id, "release", json("token", token)).body();
        assertEquals("pending", t.get("status").asText(), t.toString());
        assertEquals(0, t.get("attempts").asInt());
        assertTrue(t.get("progress").isNull());
        assertTrue(t.get("owner").isNull());
        assertTrue(t.get("claimedAt").isNull());
        assertTrue(t.get("ready").asBoolean());
        JsonNode released = last(steps.events(0, q, id), "released");
        assertEquals("releaser", released.get("agent").asText());
        assertEquals(token, released.get("token").asLong());
        assertTrue(steps.session(1, "releaser").get("claims").isEmpty());

        // The old token is dead; a new claim gets a higher one.
        assertEquals("stale_token", steps.complete(0, q, id, token).code());
        assertTrue(steps.claimed(1, q, id, "someone-else") > token);
    }

    @Test
    void aHandoffGivesTheReceiverANewTokenAndMakesTheOldOneStale() {
        String q = "handoff";
        long id = steps.createId(0, q, json("subject", "relay"));
        long old = steps.claimed(0, q, id, "giver");
        assertEquals(200, steps.act(0, q, id, "progress", json("token", old, "note", "half",
                "percent", 50)).status());
        assertEquals(200, steps.pulse(1, "taker", 30_000).status());

        Http.Reply r = steps.act(1, q, id, "handoff", json("token", old, "to", "taker",
                "note", "your turn"));
        assertEquals(200, r.status(), r.body().toString());
        long fresh = r.body().get("token").asLong();
        assertTrue(fresh > old);
        JsonNode t = r.body().get("task");
        assertEquals("in_progress", t.get("status").asText());
        assertEquals("taker", t.get("owner").asText());
        assertEquals(fresh, t.get("token").asLong());
        JsonNode handedOff = last(steps.events(2, q, id), "handed_off");
        assertEquals("taker", handedOff.get("agent").asText());
        assertEquals(fresh, handedOff.get("token").asLong());

        // The sessions follow the task.
        assertTrue(steps.session(2, "giver").get("claims").isEmpty());
        assertEquals(fresh, steps.session(2, "taker").get("claims").get(0).get("token")
                .asLong());

        // The giver's token is stale; the taker's completes.
        Http.Reply late = steps.complete(2, q, id, old);
        assertEquals(409, late.status());
        assertEquals("stale_token", late.code());
        assertEquals(200, steps.complete(0, q, id, fresh).status());
    }

    @Test
    void progressIsKeptOnTheTaskWithNotePercentAndLeaderTime() {
        String q = "progress";
        long id = steps.createId(0, q, json("subject", "long job"));
        long token = steps.claimed(0, q, id, "reporter");
        Http.Reply r = steps.act(1, q, id, "progress", json("token", token,
                "note", "halfway there", "percent", 50));
        assertEquals(200, r.status(), r.body().toString());
        JsonNode p = r.body().get("progress");
        assertEquals("halfway there", p.get("note").asText());
        assertEquals(50, p.get("percent").asInt());
        assertTrue(ms(p.get("at")) >= ms(r.body().get("claimedAt")));
        assertEquals(p, steps.get(2, q, id).get("progress"));
        // Progress is not history.
        assertEquals(List.of("created", "claimed"), types(steps.events(0, q, id)));
    }

    @Test
    void deletingAnInProgressTaskEndsItsClaim() {
        String q = "delete-claimed";
        long id = steps.createId(0, q, json("subject", "doomed"));
        long keep = steps.createId(0, q, json("subject", "kept"));
        long token = steps.claimed(0, q, id, "deleted-under");
        steps.claimed(0, q, keep, "deleted-under");
        assertEquals(2, steps.session(1, "deleted-under").get("claims").size());

        JsonNode t = Http.delete(steps.task(1, q, id)).body();
        assertEquals("deleted", t.get("status").asText(), t.toString());
        assertTrue(t.get("owner").isNull());
        assertTrue(t.get("token").isNull());

        // The agent's session lists only the task it still holds.
        JsonNode claims = steps.session(2, "deleted-under").get("claims");
        assertEquals(1, claims.size(), claims.toString());
        assertEquals(keep, claims.get(0).get("id").asLong());
        assertEquals("stale_token", steps.complete(0, q, id, token).code());
    }

    @Test
    void anAgentThatLeavesReleasesItsTasksAsAgentLeft() {
        String q = "leave";
        long a = steps.createId(0, q, json("subject", "a"));
        long b = steps.createId(0, q, json("subject", "b"));
        steps.claimed(0, q, a, "leaver");
        steps.claimed(1, q, b, "leaver");

        Http.Reply left = Http.delete(cluster.url(2) + "/v1/agents/leaver");
        assertEquals(200, left.status(), left.body().toString());
        for (long id : List.of(a, b)) {
            JsonNode t = steps.get(0, q, id);
            assertEquals("pending", t.get("status").asText());
            assertEquals(0, t.get("attempts").asInt());
            JsonNode released = last(steps.events(1, q, id), "released");
            assertNotNull(released);
            assertEquals("agent_left", released.get("reason").asText());
            assertEquals("leaver", released.get("agent").asText());
        }
        assertNull(steps.session(1, "leaver"));
        assertEquals(404, Http.delete(cluster.url(0) + "/v1/agents/leaver").status());
    }

    @Test
    void aPulseRevivesOnlyANewAgentAndAgentsAreListedWithTheirClaims() {
        String q = "sessions";
        Http.Reply first = steps.pulse(0, "pulser", 5_000);
        assertEquals(200, first.status(), first.body().toString());
        assertTrue(first.body().get("revived").asBoolean());
        assertEquals(5_000, first.body().get("ttlMs").asLong());
        assertTrue(first.body().get("claims").isEmpty());
        Http.Reply second = steps.pulse(1, "pulser", 5_000);
        assertFalse(second.body().get("revived").asBoolean());
        assertTrue(ms(second.body().get("expiresAt")) >= ms(first.body().get("expiresAt")));

        // A claim binds the task to the live session, which keeps its own TTL.
        long id = steps.createId(0, q, json("subject", "bound"));
        long token = steps.claimed(2, q, id, "pulser");
        JsonNode session = steps.session(0, "pulser");
        assertEquals(5_000, session.get("ttlMs").asLong());
        assertNotNull(session.get("expiresAt").textValue());
        assertEquals(1, session.get("claims").size());
        JsonNode claim = session.get("claims").get(0);
        assertEquals(q, claim.get("queue").asText());
        assertEquals(id, claim.get("id").asLong());
        assertEquals(token, claim.get("token").asLong());
        JsonNode third = steps.pulse(2, "pulser", 5_000).body();
        assertFalse(third.get("revived").asBoolean());
        assertEquals(session.get("claims"), third.get("claims"));
    }

    @Test
    void claimNextHandsOutOnlyWhatTheAgentsCapabilitiesAndLabelsAllowByPriority() {
        String q = "filters";
        long gpu = steps.createId(0, q, json("subject", "train", "priority", 5,
                "requires", List.of("gpu")));
        long python = steps.createId(0, q, json("subject", "script", "priority", 1,
                "requires", List.of("python")));
        long infra = steps.createId(0, q, json("subject", "infra", "labels",
                Map.of("team", "infra")));
        long plain = steps.createId(0, q, json("subject", "plain"));

        // A labels filter takes only the matching task.
        assertEquals(List.of(infra), claimedIds(steps.claimNext(1, q, json("agent", "a1",
                "count", 10, "labels", Map.of("team", "infra")))));
        assertEquals(List.of(), claimedIds(steps.claimNext(1, q, json("agent", "a1",
                "count", 10, "labels", Map.of("team", "web")))));
        // Without gpu, the gpu task is passed over; priority first, then id.
        assertEquals(List.of(python, plain), claimedIds(steps.claimNext(2, q, json(
                "agent", "a2", "count", 10, "capabilities", List.of("python")))));
        // An agent offering gpu gets it.
        assertEquals(List.of(), claimedIds(steps.claimNext(0, q, json("agent", "a3",
                "count", 10, "capabilities", List.of("python")))));
        assertEquals(List.of(gpu), claimedIds(steps.claimNext(0, q, json("agent", "a3",
                "capabilities", List.of("python", "gpu")))));
    }

    // ----- claim-next with waitMs -----

    /** A claim-next with waitMs, in flight, with the time its answer came. */
    private record Waiting(CompletableFuture<Http.Reply> reply, CompletableFuture<Long> at) {
        static Waiting start(int node, String q, String agent, long waitMs) {
            CompletableFuture<Http.Reply> reply = Http.postAsync(cluster.url(node)
                    + "/v1/queues/" + q + "/claim", json("agent", agent, "waitMs", waitMs));
            return new Waiting(reply, reply.thenApply(r -> System.nanoTime()));
        }

        /** Shows that it is waiting: nothing is claimable, so it must not answer yet. */
        Waiting parked() throws InterruptedException {
            // A short, deliberate pause: the point is that no answer comes during it.
            Thread.sleep(400);
            assertFalse(reply.isDone(), "answered while nothing was claimable: "
                    + (reply.isDone() ? reply.join().body() : ""));
            return this;
        }

        /** The single claim it got, checking that it came within a second of the trigger. */
        JsonNode wokeFor(long triggeredNanos) throws Exception {
            Http.Reply r = reply.get(10, TimeUnit.SECONDS);
            long wokeMs = (at.join() - triggeredNanos) / 1_000_000;
            System.out.println("long poll woke " + wokeMs + " ms after the trigger");
            assertEquals(200, r.status(), r.body().toString());
            assertTrue(wokeMs < 1_000, "woke " + wokeMs + " ms after the trigger");
            assertEquals(1, r.body().get("claims").size(), r.body().toString());
            return r.body().get("claims").get(0);
        }
    }

    @Test
    void aWaitingClaimNextWakesWhenANewTaskArrives() throws Exception {
        String q = "wait-new";
        Waiting w = Waiting.start(1, q, "waiter-new", 10_000).parked();
        long trigger = System.nanoTime();
        long id = steps.createId(2, q, json("subject", "fresh"));
        JsonNode claim = w.wokeFor(trigger);
        assertEquals(id, claim.get("task").get("id").asLong());
        assertEquals("waiter-new", steps.get(0, q, id).get("owner").asText());
    }

    @Test
    void aWaitingClaimNextWakesWhenABlockerCompletes() throws Exception {
        String q = "wait-blocker";
        long a = steps.createId(0, q, json("subject", "A"));
        long b = steps.createId(0, q, json("subject", "B", "blockedBy", List.of(a)));
        long tokenA = steps.claimed(0, q, a, "builder");

        // B waits on A, A is taken: nothing to claim until A completes.
        Waiting w = Waiting.start(2, q, "waiter-blocked", 10_000).parked();
        long trigger = System.nanoTime();
        assertEquals(200, steps.complete(1, q, a, tokenA).status());
        assertEquals(b, w.wokeFor(trigger).get("task").get("id").asLong());
    }

    @Test
    void aWaitingClaimNextWakesWhenAClaimIsReleased() throws Exception {
        String q = "wait-release";
        long id = steps.createId(0, q, json("subject", "shared"));
        long token = steps.claimed(0, q, id, "holder");
        Waiting w = Waiting.start(1, q, "waiter-release", 10_000).parked();
        long trigger = System.nanoTime();
        assertEquals(200, steps.act(2, q, id, "release", json("token", token)).status());
        JsonNode claim = w.wokeFor(trigger);
        assertEquals(id, claim.get("task").get("id").asLong());
        assertTrue(claim.get("token").asLong() > token);
    }

    @Test
    void aWaitingClaimNextWakesWhenADelayedTaskComesDue() throws Exception {
        String q = "wait-delay";
        long id = steps.createId(0, q, json("subject", "soon", "delayMs", 1_500));
        long due = ms(steps.get(0, q, id).get("notBefore"));
        Waiting w = Waiting.start(2, q, "waiter-delay", 10_000).parked();
        long dueNanos = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(due - System.currentTimeMillis());
        assertEquals(id, w.wokeFor(dueNanos).get("task").get("id").asLong());
    }

    @Test
    void aWaitingClaimNextAnswersNothingWhenWaitMsPassesWithNothingToClaim() throws Exception {
        String q = "wait-nothing";
        long id = steps.createId(0, q, json("subject", "taken"));
        steps.claimed(0, q, id, "holder");
        long asked = System.nanoTime();
        Http.Reply r = Http.post(cluster.url(1) + "/v1/queues/" + q + "/claim",
                json("agent", "waiter-nothing", "waitMs", 1_000));
        long tookMs = (System.nanoTime() - asked) / 1_000_000;
        System.out.println("an empty long poll of 1000 ms answered after " + tookMs + " ms");
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("{\"claims\":[]}", r.body().toString());
        assertTrue(tookMs >= 950 && tookMs < 2_500, "answered after " + tookMs + " ms");
    }

    private static List<Long> claimedIds(Http.Reply r) {
        assertEquals(200, r.status(), r.body().toString());
        List<Long> ids = new ArrayList<>();
        r.body().get("claims").forEach(c -> ids.add(c.get("task").get("id").asLong()));
        return ids;
    }
}
