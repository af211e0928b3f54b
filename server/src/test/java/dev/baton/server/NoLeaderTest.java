package dev.baton.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a quorum the cluster says so: 503 with Retry-After, never a guess; and once a quorum
 * is back, it writes again.
 */
class NoLeaderTest {
    @TempDir
    Path dir;

    @Test
    void aNodeWithoutAQuorumAnswers503WithRetryAfterAndIsNotReady() {
        try (TestCluster cluster = TestCluster.started(dir, 3, 100_000)) {
            assertEquals(201, Http.post(cluster.url(0) + "/v1/queues/q/tasks",
                    "{\"subject\": \"before\"}").status());
            // A follower learns the commit index from the leader's next append or heartbeat, so
            // node 0 may apply the write a moment after it was acknowledged. Wait for it: the
            // stale read below is about serving local state, not about that moment.
            String staleRead = cluster.url(0) + "/v1/queues/q/tasks/1?consistency=stale";
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Http.get(staleRead).status() == 200);
            // Two of three members go away: the last one can neither lead nor follow.
            cluster.stop(1);
            cluster.stop(2);

            Http.Reply write = Http.post(cluster.url(0) + "/v1/queues/q/tasks",
                    "{\"subject\": \"lost?\"}");
            assertEquals(503, write.status(), write.body().toString());
            assertEquals("unavailable", write.code());
            assertNotNull(write.raw().headers().firstValue("Retry-After").orElse(null));

            Http.Reply read = Http.get(cluster.url(0) + "/v1/queues/q/tasks/1");
            assertEquals(503, read.status());
            // A stale read still answers from what this node has.
            assertEquals(200, Http.get(staleRead).status());
            assertEquals(200, Http.get(cluster.url(0) + "/health/live").status());
            // Once it notices it has no leader, it stops calling itself ready.
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> Http.get(cluster.url(0) + "/health/ready").status() == 503);
        }
    }

    /**
     * A follower that answered 503 while it had no leader takes every write again once there is
     * one. Its Ratis client that gave up stayed failed for good, so before the fix one write in
     * four through this node answered 503 at once, however long after (found by a black-box
     * check, minutes after a leadership transfer).
     */
    @Test
    void aFollowerThatWentWithoutALeaderTakesEveryWriteOnceThereIsOneAgain() {
        try (TestCluster cluster = TestCluster.started(dir, 3, 100_000)) {
            int leader = cluster.awaitLeader();
            int follower = (leader + 1) % 3;
            int other = (leader + 2) % 3;
            String tasks = cluster.url(follower) + "/v1/queues/q/tasks";
            assertEquals(201, Http.post(tasks, "{\"subject\": \"before\"}").status());

            cluster.stop(leader);
            cluster.stop(other);
            // The node's Ratis client retries for about four seconds, then gives up.
            assertEquals(503, Http.post(tasks, "{\"subject\": \"alone\"}").status());

            cluster.start(leader);
            cluster.start(other);
            if (cluster.awaitLeader() == follower) {
                Http.Reply moved = Http.post(cluster.url(follower) + "/v1/cluster/leader",
                        "{\"id\": \"n" + (other + 1) + "\"}");
                assertEquals(200, moved.status(), moved.body().toString());
            }
            // Eight writes: with the Ratis client pool this node used to forward through, one
            // in four met the client that had given up, and got 503 at once.
            for (int i = 0; i < 8; i++) {
                Http.Reply write = Http.post(tasks, "{\"subject\": \"after " + i + "\"}");
                assertEquals(201, write.status(), "write " + i + ": " + write.body());
            }
        }
    }
}
