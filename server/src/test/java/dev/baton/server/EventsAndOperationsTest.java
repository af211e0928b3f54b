package dev.baton.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The events stream and the operator calls of the contract, against a three-node cluster. */
class EventsAndOperationsTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.started(dir, 3, 100_000);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    /** An SSE event as a client sees it: its data and the id (log index) it carried, if any. */
    record Sse(JsonNode data, Long id) {
    }

    /** Reads {@code count} events from a stream, then closes it. */
    private static List<Sse> read(String url, String lastEventId, int count) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(20));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("")
                .startsWith("text/event-stream"));
        List<Sse> events = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            JsonNode data = null;
            Long id = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data: ")) {
                    data = Http.JSON.readTree(line.substring(6));
                } else if (line.startsWith("id: ")) {
                    id = Long.parseLong(line.substring(4));
                } else if (line.isEmpty() && data != null) {
                    events.add(new Sse(data, id));
                    data = null;
                    id = null;
                    if (events.size() == count) {
                        break;
                    }
                }
            }
        }
        return events;
    }

    @Test
    void theEventsStreamResumesAfterTheLastEventIdWithoutGapsOrRepeats() throws Exception {
        String tasks = cluster.url(0) + "/v1/queues/events/tasks";
        for (int i = 1; i <= 6; i++) {
            assertEquals(201, Http.post(tasks, "{\"subject\": \"e" + i + "\"}").status());
        }
        // Read the first three from the beginning, through another node.
        String stream = cluster.url(1) + "/v1/events?queue=events&fromIndex=1";
        List<Sse> first = read(stream, null, 3);
        assertEquals(List.of(1L, 2L, 3L), taskIds(first));
        assertEquals("created", first.get(0).data().get("type").asText());
        assertEquals("events", first.get(0).data().get("queue").asText());
        // Resume after the last one received, through a third node: the rest, once each.
        List<Sse> rest = read(cluster.url(2) + "/v1/events?queue=events",
                String.valueOf(first.get(2).id()), 3);
        assertEquals(List.of(4L, 5L, 6L), taskIds(rest));
        // Each event names its entry's log index as its SSE id, increasing along the stream.
        assertTrue(rest.get(0).id() > first.get(2).id());
        for (int i = 1; i < rest.size(); i++) {
            assertTrue(rest.get(i).id() > rest.get(i - 1).id());
        }
    }

    @Test
    void aStreamDeliversEventsAsTheyHappen() throws Exception {
        String tasks = cluster.url(0) + "/v1/queues/live/tasks";
        Thread writer = new Thread(() -> {
            await().pollDelay(Duration.ofMillis(300)).until(() -> true);
            Http.post(tasks, "{\"subject\": \"now\"}");
            Http.post(tasks + "/1/claim", "{\"agent\": \"watcher\"}");
        });
        writer.start();
        List<Sse> events = read(cluster.url(2) + "/v1/events?queue=live", null, 2);
        writer.join();
        assertEquals("created", events.get(0).data().get("type").asText());
        assertEquals("claimed", events.get(1).data().get("type").asText());
        assertEquals("watcher", events.get(1).data().get("agent").asText());
    }

    @Test
    void aSnapshotOnDemandAnswersItsIndexAndLeadershipMovesWhereAsked() {
        long id = Http.post(cluster.url(0) + "/v1/queues/ops/tasks", "{\"subject\": \"x\"}")
                .body().get("id").asLong();
        // A linearizable read through node 1 returns once node 1 has applied the create.
        assertEquals(200, Http.get(cluster.url(1) + "/v1/queues/ops/tasks/" + id).status());
        Http.Reply snapshot = Http.post(cluster.url(1) + "/v1/cluster/snapshot", "");
        assertEquals(200, snapshot.status(), snapshot.body().toString());
        assertTrue(snapshot.body().get("index").asLong() > 0);

        int leader = cluster.awaitLeader();
        String target = "n" + ((leader + 1) % 3 + 1);
        Http.Reply moved = Http.post(cluster.url(leader) + "/v1/cluster/leader",
                "{\"id\": \"" + target + "\"}");
        assertEquals(200, moved.status(), moved.body().toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> target.equals(
                Http.get(cluster.url(0) + "/v1/cluster").body().path("leader").asText()));
        assertEquals(404, Http.post(cluster.url(0) + "/v1/cluster/leader",
                "{\"id\": \"n9\"}").status());
    }

    /** The ids of the tasks the events are about (each created once, in order). */
    private static List<Long> taskIds(List<Sse> events) {
        List<Long> ids = new ArrayList<>();
        events.forEach(e -> ids.add(e.data().get("id").asLong()));
        return ids;
    }
}
