package dev.baton.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.client.BatonClient;
import java.time.Duration;

/**
 * The calls of the CLI, through {@link BatonClient#send}: each answers the server's JSON as it
 * is, for {@code --json}, and {@link #decode} reads it as the client's records for the human
 * lines. The client does the failover across the servers and the Idempotency-Key of every
 * write.
 */
final class Api implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final BatonClient client;

    Api(Settings settings) {
        this.client = BatonClient.builder()
                .servers(settings.servers())
                .retryDeadline(settings.timeout())
                .token(settings.token())
                .build();
    }

    BatonClient client() {
        return client;
    }

    static <T> T decode(JsonNode json, Class<T> type) {
        return BatonClient.decode(json, type);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    JsonNode get(String path) {
        return client.send("GET", path, null);
    }

    JsonNode post(String path, JsonNode body) {
        return client.send("POST", path, body);
    }

    /** A POST that the server may hold for {@code hold} (a long-polling claim-next). */
    JsonNode post(String path, JsonNode body, Duration hold) {
        return client.send("POST", path, body, BatonClient.newIdempotencyKey(), hold);
    }

    JsonNode patch(String path, JsonNode body) {
        return client.send("PATCH", path, body);
    }

    JsonNode delete(String path) {
        return client.send("DELETE", path, null);
    }

    static String tasks(String queue) {
        return "/v1/queues/" + BatonClient.pathSegment(queue) + "/tasks";
    }

    static String task(String queue, long id) {
        return tasks(queue) + "/" + id;
    }

    static String claimNext(String queue) {
        return "/v1/queues/" + BatonClient.pathSegment(queue) + "/claim";
    }

    static String agent(String agent) {
        return "/v1/agents/" + BatonClient.pathSegment(agent);
    }

    @Override
    public void close() {
        client.close();
    }
}
