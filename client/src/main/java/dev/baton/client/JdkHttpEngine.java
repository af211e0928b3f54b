package dev.baton.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The JDK's {@link HttpClient} as an {@link HttpEngine}: the library's default. */
final class JdkHttpEngine implements HttpEngine {
    private final HttpClient http;

    JdkHttpEngine(HttpClient http) {
        this.http = http;
    }

    @Override
    public Response exchange(String server, String method, String path,
                             Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        HttpResponse<String> r = http.send(b.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(r.statusCode(), r.body(), headers(r));
    }

    /** An answer's headers as {@link Response} holds them: lower-case names, first values. */
    static Map<String, String> headers(HttpResponse<?> r) {
        Map<String, String> names = new HashMap<>();
        r.headers().map().forEach((name, values) -> {
            if (!values.isEmpty()) {
                names.put(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        return names;
    }

    @Override
    public void close() {
        // The JDK's client (Java 17) has nothing to close; its threads are daemons.
    }
}
