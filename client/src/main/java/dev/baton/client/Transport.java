package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

/**
 * HTTP with failover. A call goes to the node that answered last, or to the leader when a
 * follower's answer named it ({@code Baton-Leader}) and it is one of this client's servers: any
 * node serves any request, but the leader does it without forwarding. When a node cannot be
 * reached,
 * or answers 502, 503 or 504 (no leader, or no quorum, in time), the same request goes to the
 * next node, until one answers or the call's deadline passes. A write carries one
 * Idempotency-Key through all its attempts, so that the attempts together apply it at most once
 * (the server remembers keys for 24 hours, through leader changes).
 *
 * <p>Pauses: moving on after a refused connection costs nothing, since the next node may be
 * fine; a full round of failures backs off (50 ms doubling to 1 s, with jitter), and a
 * {@code Retry-After} answer is honoured, all within the deadline.
 *
 * <p>Thread-safe: calls share one {@link HttpEngine} (event streams the JDK's
 * {@link HttpClient}) and the index of the last node that answered.
 */
final class Transport {
    private static final System.Logger LOG = System.getLogger(Transport.class.getName());
    private static final long BACKOFF_MIN_MS = 50;
    private static final long BACKOFF_MAX_MS = 1_000;
    /** A sanity bound on a server's Retry-After, which Baton sets to 1 s. */
    private static final long RETRY_AFTER_MAX_MS = 5_000;

    /**
     * One request. A non-null idempotency key marks a write.
     *
     * @param holdFor how long the server may hold the request on purpose (a long poll); added to
     *             the per-attempt timeout and to the deadline
     * @param deadline how long to keep trying, from the first attempt
     */
    record Call(String method, String path, JsonNode body, String idempotencyKey,
                Duration holdFor, Duration deadline) {
        boolean isWrite() {
            return idempotencyKey != null;
        }
    }

    /** A final answer: any status that is not worth another node (2xx and 4xx). */
    record Answer(int status, String body) {
    }

    private final List<String> servers;
    private final HttpEngine engine;
    /** Event streams, read as they arrive, always go through the JDK's client. */
    private final HttpClient streams;
    private final Duration requestTimeout;
    private final String authorization;
    private final AtomicInteger preferred = new AtomicInteger();
    /** When a call to each server last failed (System.nanoTime()), or 0. */
    private final AtomicLongArray failedAt;
    private static final Duration AVOID_AFTER_FAILURE = Duration.ofSeconds(30);
    /** A follower's answers name the leader's HTTP address ({@code host:port}) in this header. */
    static final String LEADER_HEADER = "Baton-Leader";

    Transport(List<String> servers, HttpEngine engine, HttpClient streams,
              Duration requestTimeout, String token) {
        this.servers = List.copyOf(servers);
        this.failedAt = new AtomicLongArray(this.servers.size());
        this.engine = engine;
        this.streams = streams;
        this.requestTimeout = requestTimeout;
        this.authorization = token == null ? null : "Bearer " + token;
    }

    List<String> servers() {
        return servers;
    }

    /**
     * Whether a call to server {@code i} failed in the last {@link #AVOID_AFTER_FAILURE}: a
     * leader this client cannot reach is not worth following a hint to (every call would pay
     * its timeout first).
     */
    private boolean failedLately(int i) {
        long at = failedAt.get(i);
        return at != 0 && System.nanoTime() - at < AVOID_AFTER_FAILURE.toNanos();
    }

    /** Which of the servers is at {@code host:port} (a Baton-Leader header), or -1. */
    private int indexOf(String hostPort) {
        for (int i = 0; i < servers.size(); i++) {
            String s = servers.get(i);
            if (s.endsWith("//" + hostPort)) {
                return i;
            }
        }
        return -1;
    }

    /** The node the next call tries first: the last one that answered, or the leader it named. */
    int preferred() {
        return preferred.get();
    }

    /**
     * Sends the call until some node gives a final answer.
     *
     * @throws UnknownOutcomeException a write that some node may have received and applied
     * @throws UnavailableException no node answered, and nothing was applied
     */
    Answer send(Call call) {
        HttpEngine.Response r = exchange(call, (server, timeout) -> engine.exchange(server,
                call.method(), call.path(), headers(call, Map.of()),
                call.body() == null ? null : Wire.bytes(call.body()), timeout), x -> x);
        return new Answer(r.status(), r.body());
    }

    /**
     * Opens a response to read as it arrives (an event stream), with the same failover as
     * {@link #send}; the timeout covers the wait for the response's headers only. Always
     * through the JDK's client, whichever engine serves the other calls.
     */
    HttpResponse<InputStream> open(Call call, Map<String, String> headers) {
        return exchange(call, (server, timeout) -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + call.path()))
                    .timeout(timeout).method(call.method(), HttpRequest.BodyPublishers.noBody());
            headers(call, headers).forEach(b::header);
            return streams.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        }, r -> new HttpEngine.Response(r.statusCode(),
                isRetryable(r.statusCode()) ? drain(r) : "", JdkHttpEngine.headers(r)));
    }

    /** One attempt at one node. */
    @FunctionalInterface
    private interface Attempt<R> {
        R at(String server, Duration timeout) throws IOException, InterruptedException;
    }

    /**
     * @param head what the retry loop reads of an answer: its status, its headers, and for a
     *             retryable status its text (for the error message)
     */
    private <R> R exchange(Call call, Attempt<R> once,
                           Function<R, HttpEngine.Response> head) {
        long waitNanos = call.holdFor().toNanos();
        long deadline = System.nanoTime() + call.deadline().toNanos() + waitNanos;
        boolean maybeApplied = false;
        List<String> failures = new ArrayList<>();
        Throwable lastCause = null;
        int start = preferred.get();
        for (int attempt = 0; ; attempt++) {
            int node = Math.floorMod(start + attempt, servers.size());
            String server = servers.get(node);
            long timeoutNanos = Math.min(requestTimeout.toNanos() + waitNanos,
                    deadline - System.nanoTime());
            Long retryAfterMs = null;
            try {
                R r = once.at(server, Duration.ofNanos(
                        Math.max(timeoutNanos, TimeUnit.MILLISECONDS.toNanos(1))));
                HttpEngine.Response h = head.apply(r);
                int status = h.status();
                if (!isRetryable(status)) {
                    preferred.set(h.header(LEADER_HEADER).map(this::indexOf)
                            .filter(i -> i >= 0 && !failedLately(i)).orElse(node));
                    return r;
                }
                failedAt.set(node, System.nanoTime());
                // Baton says it for writes too: a 503 leaves the outcome unknown.
                maybeApplied |= call.isWrite();
                retryAfterMs = h.header("Retry-After").map(Transport::seconds)
                        .orElse(null);
                failures.add(server + ": " + status + " " + errorMessage(h.body()));
            } catch (IOException e) {
                failedAt.set(node, System.nanoTime());
                maybeApplied |= call.isWrite() && !neverSent(e);
                lastCause = e;
                failures.add(server + ": " + describe(e));
            } catch (InterruptedException e) {
                // The request may have left already, so a write's outcome is unknown.
                Thread.currentThread().interrupt();
                failures.add(server + ": interrupted");
                throw giveUp(call, maybeApplied || call.isWrite(), failures, e);
            }
            LOG.log(System.Logger.Level.DEBUG, () -> call.method() + " " + call.path()
                    + " failed at " + failures.get(failures.size() - 1) + "; trying "
                    + servers.get(Math.floorMod(node + 1, servers.size())) + " next");
            long pauseMs = pauseMs(attempt, retryAfterMs);
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs) >= deadline) {
                throw giveUp(call, maybeApplied, failures, lastCause);
            }
            if (pauseMs > 0) {
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw giveUp(call, maybeApplied, failures, e);
                }
            }
        }
    }

    /** The text of an answer being streamed, for an error: it is short, read it whole. */
    static String drain(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** One attempt at one node, for the per-node calls (health, metrics): no failover. */
    HttpEngine.Response sendTo(String server, String path, Duration timeout)
            throws IOException, InterruptedException {
        Call call = new Call("GET", path, null, null, Duration.ZERO, timeout);
        return engine.exchange(server, "GET", path, headers(call, Map.of()), null, timeout);
    }

    /** The headers of every attempt of a call, with {@code extra} (which may set Accept). */
    private Map<String, String> headers(Call call, Map<String, String> extra) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("User-Agent", "baton-java-client");
        h.put("Accept", "application/json");
        h.putAll(extra);
        if (call.body() != null) {
            h.put("Content-Type", "application/json");
        }
        if (call.idempotencyKey() != null) {
            h.put("Idempotency-Key", call.idempotencyKey());
        }
        if (authorization != null) {
            h.put("Authorization", authorization);
        }
        return h;
    }

    /** Closes the engine's connections. */
    void close() {
        engine.close();
    }

    /**
     * 502 and 504 are what a proxy in front of a node answers while the node is down; 500 is a
     * node failing on this request, which another node may not. None of them is a refusal.
     */
    static boolean isRetryable(int status) {
        return status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** Whether the request surely never left this machine, so a write cannot have applied. */
    static boolean neverSent(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
                    || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The pause before the next attempt: none when other nodes of this round are still
     * untried, a backoff once every node has failed, or what the server asked for.
     */
    long pauseMs(int attempt, Long retryAfterMs) {
        if (retryAfterMs != null) {
            return Math.min(retryAfterMs, RETRY_AFTER_MAX_MS);
        }
        if ((attempt + 1) % servers.size() != 0) {
            return 0;
        }
        int round = Math.min((attempt + 1) / servers.size() - 1, 10);
        long backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS << round);
        return backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    }

    private static Long seconds(String retryAfter) {
        try {
            return Math.max(0, Long.parseLong(retryAfter.trim())) * 1_000;
        } catch (NumberFormatException e) {
            return null; // An HTTP date: Baton never sends one, so back off as usual.
        }
    }

    private static RuntimeException giveUp(Call call, boolean maybeApplied, List<String> failures,
                                           Throwable cause) {
        String what = call.method() + " " + call.path();
        String tried = String.join("; ", failures);
        if (maybeApplied) {
            return new UnknownOutcomeException(what + ": the outcome is unknown after "
                    + failures.size() + " attempts [" + tried + "]", call.idempotencyKey(),
                    cause);
        }
        return new UnavailableException(what + ": no node answered after " + failures.size()
                + " attempts [" + tried + "]", cause);
    }

    private static String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connect timed out";
        }
        if (neverSent(e)) {
            return "connection refused";
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                : " " + e.getMessage());
    }

    private static String errorMessage(String body) {
        try {
            JsonNode error = Wire.parse(body).path("error");
            return error.path("code").asText("") + " " + error.path("message").asText("");
        } catch (BatonException e) {
            return Wire.abbreviate(body);
        }
    }
}
