package dev.baton.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.server.raft.TaskStateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replicated store as users meet it: writes through any node, reads through any other,
 * leaders lost and members restarted, a member that missed so much that the log it needs is gone.
 * Each test runs a real three-node Ratis cluster on loopback.
 */
class ReplicatedTaskStoreTest {
    @TempDir
    Path dir;

    @Test
    void aTaskCreatedThroughOneNodeIsReadThroughAnotherAndListedThroughTheThird() {
        try (TestCluster cluster = TestCluster.started(dir, 3, 100_000)) {
            // Create through node 2 (whichever leads: followers forward).
            Http.Reply created = Http.post(cluster.url(1) + "/v1/queues/default/tasks",
                    "{\"subject\": \"Triage flaky deploy\", \"priority\": 2}");
            assertEquals(201, created.status(), created.body().toString());
            long id = created.body().get("id").asLong();
            assertEquals(1, id);

            // A linearizable read through node 3 sees it at once.
            Http.Reply read = Http.get(cluster.url(2) + "/v1/queues/default/tasks/" + id);
            assertEquals(200, read.status());
            assertEquals("Triage flaky deploy", read.body().get("subject").asText());
            assertEquals("pending", read.body().get("status").asText());
            assertEquals(created.body().get("createdAt"), read.body().get("createdAt"));

            // And node 1 lists it.
            Http.Reply list = Http.get(cluster.url(0) + "/v1/queues/default/tasks");
            assertEquals(1, list.body().get("tasks").size());
            assertEquals(id, list.body().get("tasks").get(0).get("id").asLong());
        }
    }

    @Test
    void writesSucceedThroughTheSurvivorsSoonAfterTheLeaderStopsAndItCatchesUpOnReturn()
            throws Exception {
        try (TestCluster cluster = TestCluster.started(dir, 3, 100_000)) {
            int leader = cluster.awaitLeader();
            int survivor = (leader + 1) % 3;
            assertEquals(201, Http.post(cluster.url(survivor) + "/v1/queues/q/tasks",
                    "{\"subject\": \"before\"}").status());

            // The leader goes away; a write through a survivor rides out the election.
            cluster.stop(leader);
            long stoppedAt = System.nanoTime();
            Http.Reply during = Http.post(cluster.url(survivor) + "/v1/queues/q/tasks",
                    "{\"subject\": \"during the election\"}");
            long tookMs = (System.nanoTime() - stoppedAt) / 1_000_000;
            assertEquals(201, during.status(), during.body().toString());
            assertTrue(tookMs < 3_000, "the write took " + tookMs + " ms after the leader left");

            // The old leader returns and catches up with what it missed.
            cluster.start(leader);
            int newLeader = cluster.awaitLeader();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    cluster.appliedIndex(leader) >= cluster.appliedIndex(newLeader));
            Http.Reply stale = Http.get(cluster.url(leader)
                    + "/v1/queues/q/tasks/2?consistency=stale");
            assertEquals("during the election", stale.body().get("subject").asText());
        }
    }

    @Test
    void everyAcknowledgedTaskAndItsHistorySurviveAFullRestart() {
        TestCluster cluster = TestCluster.started(dir, 3, 100_000);
        String tasks = cluster.url(0) + "/v1/queues/build/tasks";
        assertEquals(201, Http.post(tasks, "{\"subject\": \"compile\"}").status());
        assertEquals(201, Http.post(tasks, "{\"subject\": \"test\", \"blockedBy\": [1]}")
                .status());
        assertEquals(200, Http.patch(tasks + "/2", "{\"priority\": 5}").status());
        assertEquals(200, Http.delete(tasks + "/1").status());
        String historyBefore = Http.get(tasks + "/2/history").body().toString();
        cluster.close();

        // Same directories, same ports: the cluster comes back with everything.
        for (int i = 0; i < 3; i++) {
            cluster.start(i);
        }
        try (cluster) {
            cluster.awaitLeader();
            String again = cluster.url(2) + "/v1/queues/build/tasks";
            Http.Reply test = Http.get(again + "/2");
            assertEquals(5, test.body().get("priority").asInt());
            assertEquals(0, test.body().get("blockedBy").size(), "deleting #1 unblocked #2");
            assertEquals("deleted", Http.get(again + "/1").body().get("status").asText());
            assertEquals(historyBefore, Http.get(again + "/2/history").body().toString());
            // Ids continue where they left off.
            assertEquals(3, Http.post(again, "{\"subject\": \"ship\"}").body().get("id")
                    .asLong());
        }
    }

    @Test
    void aFollowerThatMissedThePurgedLogCatchesUpBySnapshotAndConverges() throws Exception {
        try (TestCluster cluster = TestCluster.started(dir, 3, 200)) {
            int leader = cluster.awaitLeader();
            int follower = (leader + 1) % 3;
            cluster.stop(follower);
            long missedFrom = cluster.appliedIndex(leader);

            // Keyed requests sent together, so that entries remember several keys each; by the
            // time the follower returns they live only in snapshots.
            String tasks = cluster.url(leader) + "/v1/queues/bulk/tasks";
            Map<String, Long> firstIds = new HashMap<>();
            List<CompletableFuture<Http.Reply>> keyed = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                keyed.add(Http.postAsync(tasks, "{\"subject\": \"keyed " + i + "\"}",
                        "keyed-" + i));
            }
            for (int i = 0; i < 10; i++) {
                Http.Reply first = keyed.get(i).join();
                assertEquals(201, first.status());
                firstIds.put("keyed-" + i, first.body().get("id").asLong());
            }

            // Hundreds of entries while it is away: snapshots every 200, the log purged. Ten
            // requests at a time, so that group commit still makes many entries of them.
            for (int batch = 0; batch < 200; batch++) {
                List<CompletableFuture<Http.Reply>> inFlight = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    inFlight.add(Http.postAsync(tasks, "{\"subject\": \"task " + batch + "-" + i
                            + "\"}"));
                }
                for (CompletableFuture<Http.Reply> f : inFlight) {
                    assertEquals(201, f.join().status());
                }
            }
            long purgedUpTo = cluster.node(leader).raft().division().getRaftLog().getStartIndex();
            assertTrue(purgedUpTo > missedFrom + 1, "the leader purged its log past "
                    + missedFrom + " (log starts at " + purgedUpTo + ")");

            // It comes back: only a snapshot can bring it up to date.
            cluster.start(follower);
            // While it installs the snapshot its state machine is paused and cannot answer.
            await().atMost(Duration.ofSeconds(60))
                    .ignoreException(TaskStateMachine.NotServingException.class)
                    .untilAsserted(() -> assertEquals(
                    cluster.node(leader).raft().stateMachine().stateDigest(),
                    cluster.node(follower).raft().stateMachine().stateDigest()));
            Http.Reply queues = Http.get(cluster.url(follower) + "/v1/queues?consistency=stale");
            assertEquals(2_010, queues.body().get("queues").get(0).get("counts").get("pending")
                    .asLong());

            // Retries of the keyed requests, through the follower: every replica, the one
            // that rebuilt its idempotency index from the installed snapshot too, must
            // recognise them, or the replicas would part (and the digests differ).
            String followerTasks = cluster.url(follower) + "/v1/queues/bulk/tasks";
            for (int i = 0; i < 10; i++) {
                Http.Reply retry = Http.post(followerTasks, "{\"subject\": \"keyed " + i
                        + "\"}", "keyed-" + i);
                assertEquals(firstIds.get("keyed-" + i), retry.body().get("id").asLong(),
                        "keyed-" + i + ": " + retry.body());
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(
                    cluster.node(leader).raft().stateMachine().stateDigest(),
                    cluster.node(follower).raft().stateMachine().stateDigest()));
            assertEquals(2_010, Http.get(cluster.url(follower)
                    + "/v1/queues?consistency=stale").body().get("queues").get(0).get("counts")
                    .get("pending").asLong(), "a retry created nothing");
        }
    }
}
