package dev.baton.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restarted node says it is ready only once it has applied what the cluster committed. */
class ReadinessTest {
    @TempDir
    Path dir;

    @Test
    void aRestartedFollowerIsNotReadyUntilItHasCaughtUpWithTheLeader() throws Exception {
        try (TestCluster cluster = TestCluster.started(dir, 3, 100_000)) {
            int leader = cluster.awaitLeader();
            int follower = (leader + 1) % 3;
            cluster.stop(follower);
            // Writes the stopped node misses; its own log knows nothing of them. Large enough
            // (8 MB) that catching up takes the leader several appends.
            String description = "d".repeat(8 * 1024);
            List<CompletableFuture<Http.Reply>> writes = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                writes.add(Http.postAsync(cluster.url(leader) + "/v1/queues/q/tasks",
                        "{\"subject\": \"t" + i + "\", \"description\": \"" + description
                                + "\"}"));
            }
            for (CompletableFuture<Http.Reply> w : writes) {
                assertEquals(201, w.get().status());
            }
            long committed = cluster.appliedIndex(leader);

            cluster.start(follower);
            String ready = cluster.url(follower) + "/health/ready";
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        Http.Reply r = Http.get(ready);
                        if (r.status() != 200) {
                            return false;
                        }
                        long applied = r.body().path("appliedIndex").asLong();
                        assertTrue(applied >= committed, "ready at " + applied
                                + " while the leader had applied " + committed);
                        return true;
                    });
            // And a stale read there sees every write.
            assertEquals(200, Http.get(cluster.url(follower)
                    + "/v1/queues/q/tasks/1000?consistency=stale").status());
        }
    }
}
