package dev.baton.client;

import static dev.baton.client.Eventually.eventually;
import static dev.baton.client.FakeNode.Reply.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker loop against a fake node that hands out the tasks it is given, one per claim-next,
 * and lists in pulses the claims it has handed out and not yet seen ended. It checks what the
 * worker reports for each outcome of a handler, and what it gives back when it stops.
 */
class WorkerTest {
    private final Deque<Long> backlog = new ConcurrentLinkedDeque<>();
    private final Set<Long> held = ConcurrentHashMap.newKeySet();
    private final Set<Long> forgotten = ConcurrentHashMap.newKeySet();
    private final FakeNode node = new FakeNode(this::answer);
    private final BatonClient client = BatonClient.builder().servers(node.address())
            .retryDeadline(Duration.ofSeconds(2)).build();

    private FakeNode.Reply answer(FakeNode.Seen r) throws InterruptedException {
        String path = r.path();
        if (path.equals("/v1/queues/q/claim")) {
            Long id = backlog.poll();
            if (id == null) {
                Thread.sleep(50); // A short long poll.
                return json(200, "{\"claims\": []}");
            }
            held.add(id);
            return json(200, "{\"claims\": [{\"task\": " + FakeNode.task("q", id, "in_progress",
                    "w", 10 + id) + ", \"token\": " + (10 + id) + "}]}");
        }
        if (path.equals("/v1/agents/w/pulse")) {
            String claims = held.stream().filter(id -> !forgotten.contains(id))
                    .map(id -> "{\"queue\": \"q\", \"id\": " + id + ", \"token\": " + (10 + id)
                            + "}").collect(Collectors.joining(","));
            return json(200, "{\"agent\": \"w\", \"ttlMs\": 1500, \"expiresAt\": "
                    + "\"2026-11-22T10:15:30.123Z\", \"revived\": false, \"claims\": ["
                    + claims + "]}");
        }
        if (path.equals("/v1/agents/w")) {
            return json(200, "{\"agent\": \"w\", \"ttlMs\": 1500, \"expiresAt\": "
                    + "\"2026-11-22T10:15:30.123Z\", \"claims\": []}");
        }
        if (path.startsWith("/v1/queues/q/tasks/")) {
            long id = Long.parseLong(path.split("/")[5]);
            held.remove(id);
            return json(200, FakeNode.task("q", id, "pending", null, null));
        }
        return json(404, "{\"error\": {\"code\": \"not_found\", \"message\": \"" + path + "\"}}");
    }

    @AfterEach
    void close() {
        client.close();
        node.close();
    }

    private List<FakeNode.Seen> seen(String suffix) {
        return node.seen().stream().filter(s -> s.path().endsWith(suffix)).toList();
    }

    @Test
    void aHandlersResultCompletesItsTaskAndItsExceptionFailsIt() throws Exception {
        backlog.add(1L);
        backlog.add(2L);
        Worker worker = Worker.builder(client, "q", "w").concurrency(2)
                .sessionTtl(Duration.ofMillis(1_500))
                .handler(task -> {
                    if (task.id() == 2) {
                        throw new IllegalStateException("boom");
                    }
                    task.progress("working", 50);
                    return "ok";
                })
                .start();
        eventually(Duration.ofSeconds(10), () -> seen("/complete").size() == 1
                && seen("/fail").size() == 1, "one complete and one fail");
        worker.close();

        assertEquals("{\"token\":11,\"result\":\"ok\"}",
                seen("/complete").get(0).body().toString());
        assertEquals("{\"token\":12,\"reason\":\"boom\",\"retry\":true}",
                seen("/fail").get(0).body().toString());
        assertEquals(1, seen("/1/progress").size());
        assertEquals(1, worker.completedCount());
        assertEquals(1, node.seen().stream().filter(s -> s.method().equals("DELETE")).count(),
                "the worker ends its session when it stops");
        assertTrue(worker.awaitTermination(Duration.ZERO));
    }

    @Test
    void closeInterruptsAHandlerPastItsGraceAndReleasesItsTaskWithoutFailingIt()
            throws Exception {
        backlog.add(1L);
        CountDownLatch started = new CountDownLatch(1);
        Worker worker = Worker.builder(client, "q", "w")
                .shutdownGrace(Duration.ofMillis(200))
                .handler(task -> {
                    started.countDown();
                    Thread.sleep(60_000);
                    return "never";
                })
                .start();
        assertTrue(started.await(10, TimeUnit.SECONDS));

        long begin = System.nanoTime();
        worker.close();
        long tookMs = (System.nanoTime() - begin) / 1_000_000;

        assertTrue(tookMs < 5_000, "close took " + tookMs + " ms");
        assertEquals("{\"token\":11}", seen("/release").get(0).body().toString());
        assertEquals(0, seen("/fail").size());
        assertEquals(0, seen("/complete").size());
    }

    @Test
    void aHandlerWhoseClaimIsLostIsInterruptedAndReportsNothing() throws Exception {
        backlog.add(1L);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Worker worker = Worker.builder(client, "q", "w").sessionTtl(Duration.ofMillis(1_500))
                .handler(task -> {
                    started.countDown();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return "never";
                })
                .start();
        assertTrue(started.await(10, TimeUnit.SECONDS));

        // The session stops listing the claim: the next pulse (within TTL/3) tells the worker.
        forgotten.add(1L);
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the handler was interrupted");
        worker.close();

        assertEquals(0, seen("/fail").size());
        assertEquals(0, seen("/complete").size());
        assertEquals(0, seen("/release").size());
    }
}
