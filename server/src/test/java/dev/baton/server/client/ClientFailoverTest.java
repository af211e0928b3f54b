package dev.baton.server.client;

import dev.baton.server.TestCluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.client.BatonClient;
import dev.baton.client.Claim;
import dev.baton.client.ClaimNext;
import dev.baton.client.ClaimResult;
import dev.baton.client.EventStream;
import dev.baton.client.NewTask;
import dev.baton.client.Task;
import dev.baton.client.TaskEvent;
import dev.baton.client.TaskQuery;
import dev.baton.client.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that loses the node it talks to in the middle of a stream of writes carries on
 * through another node, and its retries, carrying the same Idempotency-Key, create and claim
 * nothing twice.
 */
class ClientFailoverTest {
    private static final String QUEUE = "stream";
    private static final int TASKS = 60;

    @TempDir
    Path dir;
    TestCluster cluster;

    @BeforeEach
    void startCluster() {
        cluster = TestCluster.started(dir, 3);
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void aClientWhoseNodeStopsMidStreamCarriesOnAndCreatesAndClaimsNothingTwice()
            throws Exception {
        // The client is given every node, the leader first, so the node it talks to is the one
        // whose loss hurts most: in-flight writes lose their answers and an election follows.
        int leader = cluster.awaitLeader();
        try (BatonClient client = BatonClient.builder().servers(cluster.addressesFrom(leader))
                .build()) {
            // A stream of writes: create a task, then claim it, by id for odd tasks and by
            // claim-next for even ones (the new task is the only ready one, so claim-next must
            // hand out exactly that one).
            AtomicInteger done = new AtomicInteger();
            Map<Long, Long> tokens = new TreeMap<>();
            ExecutorService stream = Executors.newSingleThreadExecutor();
            Future<?> finished = stream.submit(() -> {
                for (int i = 1; i <= TASKS; i++) {
                    Task t = client.createTask(QUEUE, NewTask.of("task " + i));
                    assertEquals(i, t.id(), "ids follow creation order, with no gap");
                    if (i % 2 == 1) {
                        ClaimResult c = client.claimTask(QUEUE, t.id(), "agent:by-id");
                        assertTrue(!c.reclaimed(), "a first claim, not a re-claim");
                        tokens.put(t.id(), c.token());
                    } else {
                        List<Claim> claims = client.claimNextTasks(QUEUE,
                                ClaimNext.as("agent:next"));
                        assertEquals(1, claims.size());
                        assertEquals(t.id(), claims.get(0).task().id());
                        tokens.put(t.id(), claims.get(0).token());
                    }
                    done.incrementAndGet();
                }
                return null;
            });

            // A third of the way in, the node the client talks to stops, dropping the
            // connections it holds, in flight or not.
            await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= TASKS / 3);
            int stoppedAt = done.get();
            cluster.stop(leader);

            // Every call still succeeds: the stream finishes through the other nodes.
            finished.get(120, TimeUnit.SECONDS);
            stream.shutdown();
            assertTrue(stoppedAt < TASKS - 10, "stopped at " + stoppedAt + " of " + TASKS);
            System.out.println("node " + leader + " stopped after " + stoppedAt + " of " + TASKS
                    + " create+claim pairs");

            // Exactly TASKS tasks exist, each claimed once, by one claim, with its own token.
            List<Task> all = client.allTasks(QUEUE, TaskQuery.all());
            assertEquals(TASKS, all.size());
            Set<Long> distinctTokens = new HashSet<>();
            for (Task t : all) {
                assertEquals(TaskStatus.IN_PROGRESS, t.status(), t.toString());
                assertEquals(tokens.get(t.id()), t.token(), "the token the client was given");
                assertEquals(t.id() % 2 == 1 ? "agent:by-id" : "agent:next", t.owner());
                distinctTokens.add(t.token());
                List<String> types = new ArrayList<>();
                client.history(QUEUE, t.id()).forEach(e -> types.add(e.type()));
                assertEquals(List.of(TaskEvent.CREATED, TaskEvent.CLAIMED), types,
                        "task " + t.id() + " was created once and claimed once");
            }
            assertEquals(TASKS, distinctTokens.size());
        }
    }

    @Test
    void anEventStreamWhoseNodeStopsResumesElsewhereWithoutGapsOrRepeats() {
        // The stream reads from node 0 first; writes go through another client.
        int streamed = 0;
        try (BatonClient watcher = BatonClient.builder().servers(cluster.addressesFrom(0))
                .build();
             BatonClient writer = BatonClient.builder().servers(cluster.addressesFrom(1))
                     .build();
             EventStream events = watcher.events(QUEUE, null)) {
            List<String> expected = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                long id = writer.createTask(QUEUE, NewTask.of("watched " + i)).id();
                expected.add(id + " " + TaskEvent.CREATED);
            }
            while (seen.size() < 5) {
                TaskEvent e = events.next();
                seen.add(e.id() + " " + e.type());
            }

            // The node it streams from stops, part way through what was written.
            cluster.stop(streamed);
            for (int i = 11; i <= 20; i++) {
                long id = writer.createTask(QUEUE, NewTask.of("watched " + i)).id();
                expected.add(id + " " + TaskEvent.CREATED);
            }

            // The rest arrive through another node: every event once, in order.
            while (seen.size() < expected.size()) {
                TaskEvent e = events.next();
                seen.add(e.id() + " " + e.type());
            }
            assertEquals(expected, seen);
        }
    }
}
