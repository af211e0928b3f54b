package dev.baton.client.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An HTTP server on loopback that answers each request as the test's route says and records
 * what it saw: for the CLI's unit tests, which check what it sends and prints, not Baton.
 */
final class FakeServer implements AutoCloseable {
    /** A request as seen: method, path with query, body. */
    record Seen(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path + (body.isEmpty() ? "" : " " + body);
        }
    }

    /** An answer. */
    record Reply(int status, String body) {
    }

    private final HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    FakeServer(Function<Seen, Reply> route) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8);
                String query = exchange.getRequestURI().getRawQuery();
                Seen request = new Seen(exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query),
                        body);
                seen.add(request);
                Reply reply = route.apply(request);
                byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    exchange.getResponseBody().write(bytes);
                }
            }
        });
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** A task document of the contract with these values. */
    static String task(long id, String subject, String status, String owner, Long token,
                       String blockedBy) {
        return """
                {"queue": "default", "id": %d, "subject": "%s", "description": "",
                 "activeForm": null, "status": "%s", "ready": false, "owner": %s, "token": %s,
                 "priority": 0, "blockedBy": [%s], "blocks": [], "resources": [], "requires": [],
                 "labels": {}, "key": null, "attempts": 0, "maxAttempts": 5, "stallMs": null,
                 "notBefore": null, "progress": null, "result": null, "failure": null,
                 "createdAt": "2026-11-22T10:15:30.123Z", "updatedAt": "2026-11-22T10:15:30.123Z",
                 "claimedAt": null, "completedAt": null, "newerField": 1}"""
                .formatted(id, subject, status, owner == null ? "null" : "\"" + owner + "\"",
                        token == null ? "null" : token.toString(), blockedBy);
    }
}
