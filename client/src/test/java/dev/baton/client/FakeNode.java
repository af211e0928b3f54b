package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A fake of the network, not of Baton: an HTTP server on 127.0.0.1 that answers each request
 * with whatever the test's route says, including a dropped connection, and records what it saw.
 */
final class FakeNode implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A request as the node saw it. */
    record Seen(String method, String path, String idempotencyKey, String authorization,
                String lastEventId, JsonNode body) {
    }

    /** What to answer; a null status drops the connection without an answer. */
    record Reply(Integer status, String body, Map<String, String> headers) {
        static Reply json(int status, String body) {
            return new Reply(status, body, Map.of());
        }

        static Reply drop() {
            return new Reply(null, "", Map.of());
        }
    }

    @FunctionalInterface
    interface Route {
        Reply answer(Seen request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** The client's port of each request's connection: one per connection it opened. */
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

    FakeNode(Route route) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, route));
        server.start();
    }

    private void handle(HttpExchange exchange, Route route) throws IOException {
        try (exchange) {
            String text = new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8);
            Seen request = new Seen(exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath()
                            + (exchange.getRequestURI().getRawQuery() == null ? ""
                            : "?" + exchange.getRequestURI().getRawQuery()),
                    exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Last-Event-ID"),
                    text.isEmpty() ? null : JSON.readTree(text));
            seen.add(request);
            clientPorts.add(exchange.getRemoteAddress().getPort());
            Reply reply;
            try {
                reply = route.answer(request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                reply = Reply.json(500, "{\"error\":{\"code\":\"internal\",\"message\":\""
                        + e + "\"}}");
            }
            if (reply.status() == null) {
                // Closing the exchange before any answer drops the connection: the client
                // cannot tell whether the request was applied.
                return;
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** How many connections the requests seen came on. */
    int connections() {
        return clientPorts.size();
    }

    /** An address where nothing listens, so connecting is refused. */
    static String deadAddress() {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** A task document as the contract shows it, with this id, status, owner and token. */
    static String task(String queue, long id, String status, String owner, Long token) {
        return """
                {"queue": "%s", "id": %d, "subject": "s", "description": "", "activeForm": null,
                 "status": "%s", "ready": false, "owner": %s, "token": %s, "priority": 0,
                 "blockedBy": [], "blocks": [], "resources": [], "requires": [], "labels": {},
                 "key": null, "attempts": 0, "maxAttempts": 5, "stallMs": null,
                 "notBefore": null, "progress": null, "result": null, "failure": null,
                 "createdAt": "2026-11-22T10:15:30.123Z", "updatedAt": "2026-11-22T10:15:30.123Z",
                 "claimedAt": null, "completedAt": null}"""
                .formatted(queue, id, status, owner == null ? "null" : "\"" + owner + "\"",
                        token == null ? "null" : token.toString());
    }
}
