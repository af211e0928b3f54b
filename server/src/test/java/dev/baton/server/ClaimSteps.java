package dev.baton.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The calls of the Claims and the Agents and liveness sections of ../shared/API.md, as an agent
 * makes them over HTTP against one node of a {@link TestCluster}. Only plumbing: every test
 * states its own expectations.
 */
final class ClaimSteps {
    private final TestCluster cluster;

    ClaimSteps(TestCluster cluster) {
        this.cluster = cluster;
    }

    /** A JSON object from name, value pairs, rendered by Jackson so that quoting is right. */
    static String json(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        try {
            return Http.JSON.writeValueAsString(map);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    String tasks(int node, String queue) {
        return cluster.url(node) + "/v1/queues/" + queue + "/tasks";
    }

    String task(int node, String queue, long id) {
        return tasks(node, queue) + "/" + id;
    }

    /** Creates a task through a node and returns it; anything but 201 fails the test. */
    JsonNode create(int node, String queue, String body) {
        Http.Reply r = Http.post(tasks(node, queue), body);
        assertEquals(201, r.status(), r.body().toString());
        return r.body();
    }

    long createId(int node, String queue, String body) {
        return create(node, queue, body).get("id").asLong();
    }

    Http.Reply claim(int node, String queue, long id, String agent) {
        return Http.post(task(node, queue, id) + "/claim", json("agent", agent));
    }

    /** Claims a task and returns the token; anything but 200 fails the test. */
    long claimed(int node, String queue, long id, String agent) {
        Http.Reply r = claim(node, queue, id, agent);
        assertEquals(200, r.status(), r.body().toString());
        return r.body().get("token").asLong();
    }

    Http.Reply claimNext(int node, String queue, String body) {
        return Http.post(cluster.url(node) + "/v1/queues/" + queue + "/claim", body);
    }

    /** progress, complete, fail, release or handoff. */
    Http.Reply act(int node, String queue, long id, String action, String body) {
        return Http.post(task(node, queue, id) + "/" + action, body);
    }

    Http.Reply complete(int node, String queue, long id, long token) {
        return act(node, queue, id, "complete", json("token", token, "result", "done"));
    }

    Http.Reply pulse(int node, String agent, long ttlMs) {
        return Http.post(cluster.url(node) + "/v1/agents/" + agent + "/pulse",
                json("ttlMs", ttlMs));
    }

    JsonNode get(int node, String queue, long id) {
        Http.Reply r = Http.get(task(node, queue, id));
        assertEquals(200, r.status(), r.body().toString());
        return r.body();
    }

    JsonNode events(int node, String queue, long id) {
        Http.Reply r = Http.get(task(node, queue, id) + "/history");
        assertEquals(200, r.status(), r.body().toString());
        return r.body().get("events");
    }

    static List<String> types(JsonNode events) {
        List<String> types = new ArrayList<>();
        events.forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    /** The last event of the given type, or null. */
    static JsonNode last(JsonNode events, String type) {
        JsonNode found = null;
        for (JsonNode e : events) {
            if (e.get("type").asText().equals(type)) {
                found = e;
            }
        }
        return found;
    }

    /** The agent's live session as {@code GET /v1/agents} lists it, or null. */
    JsonNode session(int node, String agent) {
        Http.Reply r = Http.get(cluster.url(node) + "/v1/agents");
        assertEquals(200, r.status(), r.body().toString());
        for (JsonNode s : r.body().get("agents")) {
            if (s.get("agent").asText().equals(agent)) {
                return s;
            }
        }
        return null;
    }

    /** The queue's counts from {@code GET /v1/queues}, or null when it has none yet. */
    JsonNode counts(int node, String queue) {
        for (JsonNode q : Http.get(cluster.url(node) + "/v1/queues").body().get("queues")) {
            if (q.get("name").asText().equals(queue)) {
                return q.get("counts");
            }
        }
        return null;
    }

    /** Epoch milliseconds of a contract timestamp. */
    static long ms(JsonNode timestamp) {
        return Instant.parse(timestamp.asText()).toEpochMilli();
    }
}
