package dev.baton.server;

import static dev.baton.server.ClaimSteps.json;
import static dev.baton.server.ClaimSteps.last;
import static dev.baton.server.ClaimSteps.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Elections never kill a live agent, and never keep a dead one alive" (../shared/API.md,
 * Agents and liveness), on a fresh three-node cluster whose leader is stopped while agents
 * hold claims.
 */
class LeaderChangeLivenessTest {
    private static final long TTL_MS = 2_000;
    /** leaseGraceMs of TestCluster (5000), capped at the session's TTL. */
    private static final long GRACE_MS = Math.min(5_000, TTL_MS);

    @TempDir
    Path dir;

    @Test
    void aLeaderChangeKeepsEveryPulsingAgentsClaimsAndStillExpiresTheSilentOneAboutOneTtlLate()
            throws Exception {
        try (TestCluster cluster = TestCluster.started(dir, 3, 100_000)) {
            ClaimSteps steps = new ClaimSteps(cluster);
            int leader = cluster.awaitLeader();
            int[] survivors = {(leader + 1) % 3, (leader + 2) % 3};
            String q = "failover";

            // Three live agents hold two tasks each, a silent one holds one; all have 2 s TTLs
            // and talk only to the nodes that will survive.
            List<String> live = List.of("live-0", "live-1", "live-2");
            Map<Long, String> ownerOf = new LinkedHashMap<>();
            Map<Long, Long> tokenOf = new LinkedHashMap<>();
            int n = 0;
            for (String agent : live) {
                assertEquals(200, steps.pulse(survivors[n % 2], agent, TTL_MS).status());
                for (int k = 0; k < 2; k++) {
                    long id = steps.createId(survivors[n % 2], q, json("subject", agent + k));
                    tokenOf.put(id, steps.claimed(survivors[n++ % 2], q, id, agent));
                    ownerOf.put(id, agent);
                }
            }
            long silentTask = steps.createId(survivors[0], q, json("subject", "silent"));
            assertEquals(200, steps.pulse(survivors[1], "silent", TTL_MS).status());
            long silentToken = steps.claimed(survivors[0], q, silentTask, "silent");

            // The live agents pulse every ~300 ms, through the survivors by turns.
            ScheduledExecutorService pulsers = Executors.newScheduledThreadPool(live.size());
            AtomicInteger pulses = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            Map<String, AtomicLong> lastPulseMs = new ConcurrentHashMap<>();
            Map<String, AtomicLong> longestGapMs = new ConcurrentHashMap<>();
            for (String agent : live) {
                lastPulseMs.put(agent, new AtomicLong());
                longestGapMs.put(agent, new AtomicLong());
                AtomicInteger turn = new AtomicInteger();
                pulsers.scheduleWithFixedDelay(() -> {
                    try {
                        Http.Reply r = steps.pulse(survivors[turn.getAndIncrement() % 2],
                                agent, TTL_MS);
                        if (r.status() != 200) {
                            refused.incrementAndGet();
                            System.out.println(agent + " pulse refused: " + r.body());
                            return;
                        }
                        pulses.incrementAndGet();
                        // The renewal's leader time, from the deadline it set.
                        long at = ms(r.body().get("expiresAt")) - TTL_MS;
                        long previous = lastPulseMs.get(agent).getAndSet(at);
                        if (previous > 0) {
                            longestGapMs.get(agent).accumulateAndGet(at - previous, Math::max);
                        }
                    } catch (RuntimeException e) {
                        refused.incrementAndGet();
                        System.out.println(agent + " pulse failed: " + e);
                    }
                }, 0, 300, TimeUnit.MILLISECONDS);
            }
            try {
                // The silent agent pulses one last time, shortly before the leader goes.
                JsonNode lastWord = steps.pulse(survivors[0], "silent", TTL_MS).body();
                long silentLastMs = ms(lastWord.get("expiresAt")) - TTL_MS;
                // A deliberate short pause so that its last pulse is "shortly before" the kill.
                Thread.sleep(300);

                // Watch for the new leader while the old one is being stopped: stopping a node
                // takes seconds (gRPC shutdown), and the election happens meanwhile.
                long killed = System.nanoTime();
                CompletableFuture<Long> elected = CompletableFuture.supplyAsync(() -> {
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                            .until(() -> leaderAmong(cluster, survivors));
                    return System.nanoTime();
                });
                cluster.stop(leader);
                long stopMs = (System.nanoTime() - killed) / 1_000_000;
                long electedAt = elected.get(30, TimeUnit.SECONDS);
                int newLeader = cluster.awaitLeader();
                System.out.printf("failover: stopping leader n%d took %d ms; n%d led %d ms "
                        + "after the stop began%n", leader + 1, stopMs, newLeader + 1,
                        (electedAt - killed) / 1_000_000);

                // The silent agent expires about one TTL after its last pulse: the new leader
                // waits out min(leaseGraceMs, TTL) but does not restart the TTL.
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> steps.get(survivors[1], q, silentTask).get("status")
                                .asText().equals("pending"));
                JsonNode expired = last(steps.events(survivors[0], q, silentTask), "expired");
                assertNotNull(expired);
                assertEquals(silentToken, expired.get("token").asLong());
                long silentForMs = ms(expired.get("at")) - silentLastMs;
                System.out.printf("failover: the silent agent expired %d ms after its last "
                        + "pulse (TTL %d, grace %d, bound %d)%n", silentForMs, TTL_MS, GRACE_MS,
                        TTL_MS + GRACE_MS + 1_500);
                assertTrue(silentForMs >= TTL_MS, "expired early: " + silentForMs + " ms");
                assertTrue(silentForMs <= TTL_MS + GRACE_MS + 1_500,
                        "expired " + silentForMs + " ms after its last pulse");
                assertNull(steps.session(survivors[0], "silent"));

                // The live agents go on pulsing for two TTLs after the election: this proves
                // that nothing is lost, so it has to last a while.
                long until = electedAt + TimeUnit.MILLISECONDS.toNanos(2 * TTL_MS);
                while (System.nanoTime() < until) {
                    Thread.sleep(100);
                }

                // Every live agent still holds every task, under the same token.
                for (Map.Entry<Long, String> e : ownerOf.entrySet()) {
                    JsonNode t = steps.get(survivors[e.getKey().intValue() % 2], q, e.getKey());
                    assertEquals("in_progress", t.get("status").asText(), t.toString());
                    assertEquals(e.getValue(), t.get("owner").asText());
                    assertEquals(tokenOf.get(e.getKey()), t.get("token").asLong());
                    assertNull(last(steps.events(survivors[0], q, e.getKey()), "expired"));
                }
                for (String agent : live) {
                    JsonNode session = steps.session(survivors[1], agent);
                    assertNotNull(session, agent);
                    assertEquals(2, session.get("claims").size(), session.toString());
                }
                System.out.printf("failover: %d pulses, %d refused or failed, longest gap "
                        + "between renewals %s ms%n", pulses.get(), refused.get(),
                        gaps(longestGapMs));
            } finally {
                pulsers.shutdownNow();
                pulsers.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean leaderAmong(TestCluster cluster, int[] nodes) throws Exception {
        for (int i : nodes) {
            if (cluster.node(i).raft().division().getInfo().isLeaderReady()) {
                return true;
            }
        }
        return false;
    }

    private static List<String> gaps(Map<String, AtomicLong> longest) {
        List<String> out = new ArrayList<>();
        longest.forEach((agent, gap) -> out.add(agent + "=" + gap.get()));
        out.sort(null);
        return out;
    }
}
