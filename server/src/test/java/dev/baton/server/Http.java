package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A small JSON-over-HTTP client for tests, as a user's curl would be. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2)).build();

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {
        /** The contract's error code, or null for a success. */
        String code() {
            return body.path("error").path("code").asText(null);
        }
    }

    /**
     * Sends a request line as written, over a socket of its own (for targets that
     * {@link URI} refuses to build, such as a bad percent-escape), and reads the whole answer.
     * The raw response is not kept.
     */
    static Reply raw(String hostPort, String method, String target) {
        String[] hp = hostPort.split(":");
        try (java.net.Socket socket = new java.net.Socket(hp[0], Integer.parseInt(hp[1]))) {
            socket.setSoTimeout(10_000);
            String request = method + " " + target + " HTTP/1.1\r\nHost: " + hostPort
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            return new Reply(status, body.isEmpty() ? JSON.createObjectNode()
                    : JSON.readTree(body), null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Reply get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    static Reply post(String url, String json) {
        return send(request(url, "POST", json));
    }

    static Reply post(String url, String json, String idempotencyKey) {
        return send(request(url, "POST", json).header("Idempotency-Key", idempotencyKey));
    }

    static Reply patch(String url, String json) {
        return send(request(url, "PATCH", json));
    }

    static Reply delete(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE());
    }

    static Reply delete(String url, String idempotencyKey) {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE()
                .header("Idempotency-Key", idempotencyKey));
    }

    static CompletableFuture<Reply> postAsync(String url, String json) {
        return CLIENT.sendAsync(request(url, "POST", json).build(),
                HttpResponse.BodyHandlers.ofString()).thenApply(Http::reply);
    }

    static CompletableFuture<Reply> postAsync(String url, String json, String idempotencyKey) {
        return CLIENT.sendAsync(request(url, "POST", json)
                        .header("Idempotency-Key", idempotencyKey).build(),
                HttpResponse.BodyHandlers.ofString()).thenApply(Http::reply);
    }

    static HttpRequest.Builder request(String url, String method, String json) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json));
    }

    static Reply send(HttpRequest.Builder request) {
        try {
            return reply(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Reply reply(HttpResponse<String> r) {
        try {
            JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
            return new Reply(r.statusCode(), body, r);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }
}
