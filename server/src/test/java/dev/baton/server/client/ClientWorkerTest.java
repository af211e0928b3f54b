package dev.baton.server.client;

import dev.baton.server.TestCluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.client.BatonClient;
import dev.baton.client.NewTask;
import dev.baton.client.Task;
import dev.baton.client.TaskEvent;
import dev.baton.client.TaskQuery;
import dev.baton.client.TaskStatus;
import dev.baton.client.Worker;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three workers drain a queue of tasks with dependencies while one of them, a separate JVM, is
 * killed with SIGKILL in the middle of a task: its claim outlives it until its session's TTL
 * runs out by the leader's clock, then another worker picks the task up, and every task
 * completes exactly once, after its blockers.
 */
class ClientWorkerTest {
    private static final String QUEUE = "build";
    private static final long DOOMED_TTL_MS = 2_000;

    @TempDir
    Path dir;
    TestCluster cluster;
    Process doomed;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void startCluster() {
        cluster = TestCluster.started(dir.resolve("cluster"), 3);
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (doomed != null) {
            doomed.destroyForcibly().waitFor();
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        cluster.close();
    }

    @Test
    void threeWorkersDrainADependentQueueAndAKilledWorkersTaskIsRedoneOnce() throws Exception {
        BatonClient client = BatonClient.builder().servers(cluster.addressesFrom(0)).build();
        open.add(client);

        // Twelve tasks in four layers: four roots, four tasks each waiting on two roots,
        // three waiting on those, and one waiting on the three.
        Map<Long, List<Long>> blockers = new LinkedHashMap<>();
        create(client, blockers);
        create(client, blockers);
        create(client, blockers);
        create(client, blockers);
        create(client, blockers, 1, 2);
        create(client, blockers, 2, 3);
        create(client, blockers, 3, 4);
        create(client, blockers, 4, 1);
        create(client, blockers, 5, 6);
        create(client, blockers, 6, 7);
        create(client, blockers, 7, 8);
        create(client, blockers, 9, 10, 11);

        // The doomed worker, alone at first, takes the best ready task (#1, the lowest id)
        // and hangs in its handler, pulsing with a 2 s TTL.
        BlockingQueue<String> lines = startDoomedWorker(String.join(",",
                cluster.addressesFrom(1)));
        String claimed = awaitLine(lines, "CLAIMED ");
        long doomedTask = Long.parseLong(claimed.split(" ")[1]);
        long doomedToken = Long.parseLong(claimed.split(" ")[2]);
        assertEquals(1, doomedTask);

        // Two healthy workers start draining the queue, and the doomed one is killed while
        // they work: SIGKILL, so it releases nothing and simply stops pulsing.
        Map<Long, Integer> handled = new ConcurrentHashMap<>();
        for (String agent : List.of("agent:healthy-1", "agent:healthy-2")) {
            BatonClient own = BatonClient.builder().servers(cluster.addressesFrom(
                    agent.endsWith("1") ? 2 : 0)).build();
            open.add(own);
            Worker worker = Worker.builder(own, QUEUE, agent).concurrency(2)
                    .sessionTtl(Duration.ofSeconds(10))
                    .pollWait(Duration.ofSeconds(5))
                    .handler(task -> {
                        handled.merge(task.id(), 1, Integer::sum);
                        Thread.sleep(ThreadLocalRandom.current().nextLong(20, 150));
                        return "built #" + task.id() + " by " + task.agent();
                    })
                    .start();
            open.add(worker);
        }
        long killedAt = System.nanoTime();
        doomed.destroyForcibly().waitFor();

        // The queue drains: the killed worker's task comes back when its lease runs out, and
        // everything waiting on it follows.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.allTasks(QUEUE, TaskQuery.all()).stream()
                        .allMatch(t -> t.status() == TaskStatus.COMPLETED));
        System.out.println("drained " + blockers.size() + " tasks "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt)
                + " ms after the kill");

        // Every task completed exactly once, by a healthy worker that handled it once.
        Map<Long, Long> completedAt = new LinkedHashMap<>();
        Map<Long, Long> lastClaimedAt = new LinkedHashMap<>();
        for (long id : blockers.keySet()) {
            List<TaskEvent> history = client.history(QUEUE, id);
            List<TaskEvent> completions = history.stream()
                    .filter(e -> e.type().equals(TaskEvent.COMPLETED)).toList();
            assertEquals(1, completions.size(), "task " + id + ": " + history);
            assertTrue(completions.get(0).agent().startsWith("agent:healthy-"),
                    completions.get(0).toString());
            assertEquals(1, handled.get(id), "task " + id + " handled by healthy workers");
            completedAt.put(id, completions.get(0).index());
            TaskEvent lastClaim = null;
            for (TaskEvent e : history) {
                if (e.type().equals(TaskEvent.CLAIMED)) {
                    lastClaim = e;
                }
            }
            assertNotNull(lastClaim, history.toString());
            lastClaimedAt.put(id, lastClaim.index());
        }

        // The killed worker's task: claimed by it, expired (not released), claimed again by
        // another worker with a higher token, completed; one attempt was used up.
        List<TaskEvent> history = client.history(QUEUE, doomedTask);
        assertEquals(List.of(TaskEvent.CREATED, TaskEvent.CLAIMED, TaskEvent.EXPIRED,
                TaskEvent.CLAIMED, TaskEvent.COMPLETED),
                history.stream().map(TaskEvent::type).toList(), history.toString());
        assertEquals("agent:doomed", history.get(1).agent());
        assertEquals(doomedToken, history.get(1).token());
        assertEquals("agent:doomed", history.get(2).agent());
        assertNotEquals("agent:doomed", history.get(3).agent());
        assertTrue(history.get(3).token() > doomedToken);
        long expiredAfterMs = history.get(2).at().toEpochMilli()
                - history.get(1).at().toEpochMilli();
        assertTrue(expiredAfterMs >= DOOMED_TTL_MS, "expired " + expiredAfterMs + " ms "
                + "after the claim, before its TTL");
        Task redone = client.task(QUEUE, doomedTask);
        assertEquals(1, redone.attempts());
        assertEquals("built #1 by " + history.get(3).agent(), redone.result());

        // Dependencies held: each task was claimed, for the last time, only after all its
        // blockers had completed, so it also completed after them (log indexes order it all;
        // one entry may carry a completion and, after it, the claim it unblocked).
        blockers.forEach((id, before) -> before.forEach(blocker ->
                assertTrue(lastClaimedAt.get(id) >= completedAt.get(blocker),
                        "task " + id + " claimed at index " + lastClaimedAt.get(id)
                                + ", its blocker " + blocker + " completed at "
                                + completedAt.get(blocker))));
    }

    private static void create(BatonClient client, Map<Long, List<Long>> blockers,
                               long... blockedBy) {
        Task t = client.createTask(QUEUE, NewTask.of("step " + (blockers.size() + 1))
                .blockedBy(blockedBy));
        List<Long> ids = new ArrayList<>();
        for (long b : blockedBy) {
            ids.add(b);
        }
        blockers.put(t.id(), List.copyOf(ids));
    }

    /** Starts {@link DoomedWorker} in its own JVM; its output lines arrive on the queue. */
    private BlockingQueue<String> startDoomedWorker(String servers) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx128m", "-cp",
                privateClasspath(dir.resolve("classpath")), DoomedWorker.class.getName(),
                servers, QUEUE, "agent:doomed", String.valueOf(DOOMED_TTL_MS));
        pb.redirectErrorStream(true);
        doomed = pb.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(
                    doomed.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(output lost: " + e + ")");
            }
        }, "doomed-worker-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String awaitLine(BlockingQueue<String> lines, String prefix)
            throws InterruptedException {
        List<String> other = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line != null) {
                other.add(line);
            }
        }
        throw new AssertionError("the doomed worker never printed " + prefix + ": " + other);
    }

    /**
     * The part of this JVM's classpath the worker needs (the client, Jackson, these test
     * classes), copied, so that a build running meanwhile in the same checkout cannot rewrite
     * a jar under the child JVM.
     */
    private static String privateClasspath(Path into) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry);
            String name = from.toString();
            boolean needed = name.contains("jackson") || name.contains("baton-client")
                    || name.contains("client" + File.separator + "target")
                    || name.endsWith("test-classes");
            if (!needed || !Files.exists(from)) {
                continue;
            }
            Path to = into.resolve((n++) + "-" + from.getFileName());
            if (Files.isDirectory(from)) {
                try (Stream<Path> tree = Files.walk(from)) {
                    for (Path p : (Iterable<Path>) tree::iterator) {
                        Path target = to.resolve(from.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.createDirectories(into);
                Files.copy(from, to);
            }
            entries.add(to.toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
