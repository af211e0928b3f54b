package dev.baton.client;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP exchange with one node, answered whole: what {@link Transport} asks of an HTTP library
 * for every call except an event stream (which always uses the JDK's client). Failover, retries
 * and idempotency keys stay in {@code Transport}; an engine only moves bytes.
 *
 * <p>Two engines ({@link BatonClient.Http}): the JDK's {@link java.net.http.HttpClient}, the
 * default and no dependency, and {@link NettyHttpEngine}, which takes about half the CPU per call
 * and is what {@code baton bench} uses (docs/PERFORMANCE.md).
 */
interface HttpEngine extends AutoCloseable {

    /** A whole answer; header names are lower case, one value each. */
    record Response(int status, String body, Map<String, String> headers) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /**
     * Sends one request to {@code server} ({@code http://host:port}) and waits for the whole
     * answer.
     *
     * @param body the request's body, or null for none
     * @throws java.net.http.HttpTimeoutException no answer within {@code timeout}
     * @throws java.net.ConnectException the request was never sent (see
     *     {@link Transport#neverSent})
     */
    Response exchange(String server, String method, String path, Map<String, String> headers,
                      byte[] body, Duration timeout) throws IOException, InterruptedException;

    /** Releases the engine's connections and threads. */
    @Override
    void close();
}
