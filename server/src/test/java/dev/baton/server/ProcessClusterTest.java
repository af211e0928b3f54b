package dev.baton.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster as an operator runs it: {@code baton cluster init --nodes 3} writes the configs,
 * and each node is its own {@code baton server --config nK.yaml} JVM, with the production tuning
 * that {@code cluster init} writes (election timeouts 1-2 s). Processes die by SIGKILL and stop
 * by SIGTERM, as they would on a real host.
 */
class ProcessClusterTest {
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final long FAILOVER_BUDGET_MS = 3_000;
    private static final String QUEUE = "ops";

    private static final HttpClient SHORT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1)).build();

    @TempDir
    Path dir;

    private final List<ServerProcess> servers = new ArrayList<>();

    @AfterEach
    void killEveryProcess() throws InterruptedException {
        for (ServerProcess s : servers) {
            s.kill();
        }
    }

    @Test
    void threeServerProcessesSurviveKillNineOfTheLeaderAndAFullRestart() throws Exception {
        // `baton cluster init --nodes 3` on free ports: n{i} serves HTTP on http+i-1, Raft on
        // raft+i-1.
        int[] bases = freePortBases();
        Path configs = dir.resolve("cluster");
        ByteArrayOutputStream initOut = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"cluster", "init", "--nodes", "3", "--out",
                configs.toString(), "--http-port", String.valueOf(bases[0]), "--raft-port",
                String.valueOf(bases[1])}, new PrintStream(initOut, true, StandardCharsets.UTF_8),
                System.err);
        assertEquals(0, code, initOut.toString(StandardCharsets.UTF_8));
        String classpath = privateCopyOfClasspath(dir.resolve("classpath"));
        for (int i = 1; i <= 3; i++) {
            servers.add(new ServerProcess("n" + i, configs.resolve("n" + i + ".yaml"),
                    dir.resolve("n" + i + ".log"), "http://127.0.0.1:" + (bases[0] + i - 1),
                    classpath));
        }

        // Three `baton server` processes; each becomes ready (knows a leader, has applied what
        // is committed).
        for (ServerProcess s : servers) {
            s.start();
        }
        awaitAllReady();
        ServerProcess leader = server(awaitLeaderAsSeenBy(servers.get(0)));
        ServerProcess follower = servers.get((servers.indexOf(leader) + 1) % 3);

        // A few tasks through a follower, so the writes are forwarded, and histories with more
        // than one event: a blocked task, then a PATCH of it and of its blocker.
        String tasks = follower.url + "/v1/queues/" + QUEUE + "/tasks";
        Map<Long, JsonNode> acknowledged = new LinkedHashMap<>();
        for (String body : List.of("{\"subject\": \"compile\", \"priority\": 1}",
                "{\"subject\": \"test\", \"blockedBy\": [1]}",
                "{\"subject\": \"package\", \"labels\": {\"team\": \"infra\"}}")) {
            Http.Reply r = Http.post(tasks, body);
            assertEquals(201, r.status(), r.body().toString());
            acknowledged.put(r.body().get("id").asLong(), r.body());
        }
        assertEquals(List.of(1L, 2L, 3L), List.copyOf(acknowledged.keySet()));
        Http.Reply patched = Http.patch(tasks + "/2", "{\"priority\": 5}");
        assertEquals(200, patched.status(), patched.body().toString());
        assertEquals(200, Http.patch(tasks + "/1", "{\"description\": \"javac\"}").status());

        // kill -9 the leader. The clock starts at the kill.
        long killedAt = System.nanoTime();
        leader.kill();

        // Writes through a survivor: each attempt gets 2 s, and a 503 or a connection error
        // means try again. One Idempotency-Key for every attempt, so a retry whose first try
        // did commit cannot create a second task.
        String outageSubject = "written while " + leader.id + " was gone";
        String outageKey = "outage-" + UUID.randomUUID();
        List<String> attempts = Collections.synchronizedList(new ArrayList<>());
        JsonNode[] outageTask = new JsonNode[1];
        String survivorTasks = follower.url + "/v1/queues/" + QUEUE + "/tasks";
        withLogs(() -> "no write succeeded through " + follower.id + " after " + leader.id
                + " was killed; attempts: " + attempts, () -> await()
                .atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    long started = System.nanoTime();
                    String outcome;
                    try {
                        HttpResponse<String> r = SHORT.send(HttpRequest.newBuilder(
                                        URI.create(survivorTasks)).timeout(ATTEMPT_TIMEOUT)
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", outageKey)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"subject\": \""
                                        + outageSubject + "\"}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        outcome = String.valueOf(r.statusCode());
                        if (r.statusCode() == 201) {
                            outageTask[0] = Http.JSON.readTree(r.body());
                        } else if (r.statusCode() != 503) {
                            throw new AssertionError("unexpected answer " + r.statusCode()
                                    + ": " + r.body());
                        }
                    } catch (IOException e) {
                        outcome = e.getClass().getSimpleName();
                    }
                    attempts.add(outcome + " at " + msSince(killedAt) + " ms (took "
                            + msSince(started) + " ms)");
                    return outageTask[0] != null;
                }));
        // The bound is checked at the end, so that a slow failover still lets the rest of
        // the story run: a failure then says whether anything else went wrong too.
        long failoverMs = msSince(killedAt);
        System.out.println("kill -9 of leader " + leader.id + " -> first 201 through "
                + follower.id + ": " + failoverMs + " ms; attempts: " + attempts);
        long outageId = outageTask[0].get("id").asLong();
        assertEquals(outageSubject, outageTask[0].get("subject").asText());
        acknowledged.put(outageId, outageTask[0]);

        // However many attempts it took, the retried create made exactly one task.
        ServerProcess newLeader = server(awaitLeaderAsSeenBy(follower));
        assertNotEquals(leader, newLeader, "a survivor leads");
        JsonNode listed = Http.get(survivorTasks + "?limit=1000").body().get("tasks");
        long withOutageSubject = 0;
        for (JsonNode t : listed) {
            if (t.get("subject").asText().equals(outageSubject)) {
                withOutageSubject++;
            }
        }
        assertEquals(1, withOutageSubject, "tasks created by the retried POST: " + listed);
        assertEquals(4, listed.size(), listed.toString());

        // The killed node comes back with the same command and catches up: it applies at least
        // what the leader had committed, and its own local state has the outage's task.
        leader.start();
        long leaderCommit = Http.get(newLeader.url + "/v1/cluster/self").body()
                .get("commitIndex").asLong();
        withLogs(() -> leader.id + " did not catch up to commit index " + leaderCommit,
                () -> await().atMost(READY_WITHIN)
                        .ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> {
                            requireAlive(leader);
                            return Http.get(leader.url + "/v1/cluster/self").body()
                                    .get("appliedIndex").asLong() >= leaderCommit;
                        }));
        Http.Reply stale = Http.get(leader.url + "/v1/queues/" + QUEUE + "/tasks/" + outageId
                + "?consistency=stale");
        assertEquals(200, stale.status(), () -> stale.body() + logs());
        assertEquals(outageSubject, stale.body().get("subject").asText());
        assertEquals(outageTask[0].get("createdAt"), stale.body().get("createdAt"));

        // What every acknowledged task and its history look like before the full stop.
        Map<Long, JsonNode> before = new LinkedHashMap<>();
        Map<Long, String> historyBefore = new LinkedHashMap<>();
        for (long id : acknowledged.keySet()) {
            Http.Reply t = Http.get(newLeader.url + "/v1/queues/" + QUEUE + "/tasks/" + id);
            assertEquals(200, t.status(), t.body().toString());
            before.put(id, t.body());
            historyBefore.put(id, Http.get(newLeader.url + "/v1/queues/" + QUEUE + "/tasks/"
                    + id + "/history").body().toString());
        }
        assertTrue(Http.JSON.readTree(historyBefore.get(2L)).get("events").size() >= 2,
                "created, then updated: " + historyBefore.get(2L));

        // Stop all three with SIGTERM; each exits within 20 s.
        for (ServerProcess s : servers) {
            s.process.destroy();
        }
        for (ServerProcess s : servers) {
            assertTrue(s.process.waitFor(20, TimeUnit.SECONDS), () -> s.id
                    + " did not exit within 20 s of SIGTERM" + logs());
            System.out.println(s.id + " exited with " + s.process.exitValue()
                    + " after SIGTERM");
        }

        // Start them again: every acknowledged task is there, on every node, with the fields it
        // had, and its history is the history it had.
        for (ServerProcess s : servers) {
            s.start();
        }
        awaitAllReady();
        for (ServerProcess s : servers) {
            for (Map.Entry<Long, JsonNode> e : acknowledged.entrySet()) {
                long id = e.getKey();
                String at = s.id + ", task " + id;
                Http.Reply t = Http.get(s.url + "/v1/queues/" + QUEUE + "/tasks/" + id);
                assertEquals(200, t.status(), () -> at + ": " + t.body() + logs());
                JsonNode was = before.get(id);
                for (String field : List.of("subject", "status", "blockedBy", "createdAt",
                        "updatedAt", "priority", "description", "labels")) {
                    assertEquals(was.get(field), t.body().get(field), at + ", " + field);
                }
                // And what the create acknowledged is what survived.
                assertEquals(e.getValue().get("subject"), t.body().get("subject"), at);
                assertEquals(e.getValue().get("createdAt"), t.body().get("createdAt"), at);
                assertEquals(historyBefore.get(id), Http.get(s.url + "/v1/queues/" + QUEUE
                        + "/tasks/" + id + "/history").body().toString(), at + ", history");
            }
        }
        assertEquals(5, Http.get(servers.get(0).url + "/v1/queues/" + QUEUE + "/tasks/2")
                .body().get("priority").asInt());

        // Ids continue where they left off.
        Http.Reply next = Http.post(servers.get(2).url + "/v1/queues/" + QUEUE + "/tasks",
                "{\"subject\": \"after the restart\"}");
        assertEquals(201, next.status(), next.body().toString());
        assertEquals(5, next.body().get("id").asLong());

        // Within 3 s of the kill, writes succeeded again through the survivors.
        assertTrue(failoverMs < FAILOVER_BUDGET_MS, "the first write after kill -9 of "
                + leader.id + " succeeded " + failoverMs + " ms after the kill; attempts: "
                + attempts);
    }

    // ----- helpers -----

    private void awaitAllReady() {
        for (ServerProcess s : servers) {
            withLogs(() -> s.id + " was not ready within " + READY_WITHIN.toSeconds() + " s",
                    () -> await().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(200))
                            .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                            .until(() -> {
                                requireAlive(s);
                                return Http.get(s.url + "/health/ready").status() == 200;
                            }));
        }
    }

    /** The id of the leader that {@code s} reports in {@code GET /v1/cluster}. */
    private String awaitLeaderAsSeenBy(ServerProcess s) {
        String[] leader = new String[1];
        withLogs(() -> "no leader seen by " + s.id, () -> await().atMost(READY_WITHIN)
                .ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> {
                    JsonNode l = Http.get(s.url + "/v1/cluster").body().get("leader");
                    leader[0] = l == null || l.isNull() ? null : l.asText();
                    return leader[0] != null;
                }));
        return leader[0];
    }

    /** Ends a wait at once, rather than at its time limit, if the node's process exited. */
    private static void requireAlive(ServerProcess s) {
        if (!s.process.isAlive()) {
            throw new IllegalStateException(s.id + " exited with " + s.process.exitValue());
        }
    }

    private ServerProcess server(String id) {
        for (ServerProcess s : servers) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no node " + id);
    }

    /** Runs a wait; if it fails, the failure says what every node logged. */
    private void withLogs(Supplier<String> what, Runnable wait) {
        try {
            wait.run();
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(what.get() + logs(), e);
        }
    }

    private String logs() {
        StringBuilder b = new StringBuilder();
        for (ServerProcess s : servers) {
            b.append("\n----- ").append(s.id).append(" (").append(s.log).append(") -----\n")
                    .append(s.logTail(40));
        }
        return b.toString();
    }

    private static long msSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    /**
     * A free run of three HTTP ports and a disjoint free run of three Raft ports, on loopback,
     * from a random base: {@code cluster init} numbers the nodes' ports consecutively.
     */
    private static int[] freePortBases() {
        Random random = new Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int http = 20_000 + random.nextInt(40_000);
            int raft = 20_000 + random.nextInt(40_000);
            if (Math.abs(http - raft) < 3) {
                continue;
            }
            if (bindable(http, 3) && bindable(raft, 3)) {
                return new int[]{http, raft};
            }
        }
        throw new IllegalStateException("no free runs of three ports found");
    }

    private static boolean bindable(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * This JVM's classpath, copied: the nodes start and restart over half a minute, and a
     * {@code mvn install} or compile running meanwhile in the same checkout rewrites the
     * snapshot jars in ~/.m2 and target/classes under them (seen as a restarted node failing
     * with NoClassDefFoundError).
     */
    private static String privateCopyOfClasspath(Path into) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
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
                            Files.copy(p, target);
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

    /** One {@code baton server --config FILE} JVM, restartable, logging to its own file. */
    private static final class ServerProcess {
        final String id;
        final Path config;
        final Path log;
        final String url;
        final String classpath;
        Process process;

        ServerProcess(String id, Path config, Path log, String url, String classpath) {
            this.id = id;
            this.config = config;
            this.log = log;
            this.url = url;
            this.classpath = classpath;
        }

        void start() throws IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp",
                    classpath, "dev.baton.server.Main", "server", "--config", config.toString());
            pb.redirectErrorStream(true);
            // Appended, so a restarted node's log follows its earlier life.
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Files.writeString(log, "===== started at " + Instant.now() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = pb.start();
        }

        /** SIGKILL, and wait until it is gone. */
        void kill() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor();
            }
        }

        String logTail(int lines) {
            try {
                List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", all.subList(Math.max(0, all.size() - lines),
                        all.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }
}
