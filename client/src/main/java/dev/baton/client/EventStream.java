package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Task events as they happen ({@code GET /v1/events}), in log order, read on the caller's
 * thread: {@link #next()} blocks until the next event.
 *
 * <pre>{@code
 * try (EventStream events = client.events("default", null)) {
 *     while (true) {
 *         TaskEvent e = events.next();
 *         System.out.println(e.index() + " " + e.queue() + "#" + e.id() + " " + e.type());
 *     }
 * }
 * }</pre>
 *
 * <p>No gaps, no repeats: the server marks the end of each log entry's events with the entry's
 * index, and this stream hands out an entry's events only once it has received all of them.
 * When the connection breaks (the node stopped, say), it reconnects, to the next node if need
 * be, with {@code Last-Event-ID} set to the last whole entry, and carries on. A stream that
 * starts "from now" first asks the cluster for its applied index, so that even a break before
 * the first event loses nothing.
 *
 * <p>A connection that stays silent for 45 s (three of the server's 15 s keep-alives) is taken
 * for dead, as a frozen node or a dropped route would leave it, and is replaced the same way.
 *
 * <p>Not thread-safe, except {@link #close()}, which may be called from another thread to
 * end a blocked {@link #next()}.
 */
public final class EventStream implements AutoCloseable {
    private static final long SILENCE_MAX_NANOS = TimeUnit.SECONDS.toNanos(45);
    private static final long WATCH_EVERY_MS = 5_000;

    private final Transport transport;
    private final Duration retryDeadline;
    private final String queue;
    private final Deque<TaskEvent> ready = new ArrayDeque<>();
    private long lastIndex;
    private volatile boolean closed;
    private volatile InputStream body;
    private volatile long heardNanos = System.nanoTime();
    private BufferedReader reader;
    private final ScheduledFuture<?> watchdog;

    EventStream(Transport transport, Duration retryDeadline, KeepAlives scheduler, String queue,
                long afterIndex) {
        this.transport = transport;
        this.retryDeadline = retryDeadline;
        this.queue = queue;
        this.lastIndex = afterIndex;
        this.watchdog = scheduler.every(WATCH_EVERY_MS, this::watch);
    }

    /** Closes a silent connection's body, which makes the blocked read fail and reconnect. */
    private void watch() {
        InputStream in = body;
        if (in != null && System.nanoTime() - heardNanos > SILENCE_MAX_NANOS) {
            try {
                in.close();
            } catch (IOException e) {
                // It is being replaced either way.
            }
        }
    }

    /** The log index of the last entry whose events were all received. */
    public long lastIndex() {
        return lastIndex;
    }

    /**
     * The next event, waiting for it as long as it takes.
     *
     * @throws RefusedException status 410, code {@code gone}: the cluster no longer keeps the
     *         events after {@link #lastIndex()}; list the tasks again and follow from now
     * @throws UnavailableException no node could be reached to resume the stream
     * @throws IllegalStateException the stream was closed
     */
    public TaskEvent next() {
        while (ready.isEmpty()) {
            if (closed) {
                throw new IllegalStateException("the event stream is closed");
            }
            if (reader == null) {
                connect();
            }
            try {
                readEntry();
            } catch (IOException e) {
                if (closed) {
                    throw new IllegalStateException("the event stream is closed");
                }
                disconnect(); // Resumes after the last whole entry on the next turn.
            }
        }
        return ready.poll();
    }

    private void connect() {
        String path = "/v1/events" + (queue == null ? "" : "?queue=" + BatonClient.segment(queue));
        HttpResponse<InputStream> r = transport.open(new Transport.Call("GET", path, null, null,
                Duration.ZERO, retryDeadline), Map.of("Accept", "text/event-stream",
                "Last-Event-ID", Long.toString(lastIndex)));
        if (r.statusCode() != 200) {
            throw BatonClient.refused(r.statusCode(), Transport.drain(r));
        }
        heardNanos = System.nanoTime();
        body = r.body();
        reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        if (closed) {
            disconnect();
        }
    }

    /**
     * Reads messages until one closes a log entry, then makes that entry's events ready.
     * Events of an entry cut short by a broken connection are dropped here and sent again
     * after reconnecting.
     */
    private void readEntry() throws IOException {
        List<TaskEvent> entry = new ArrayList<>();
        StringBuilder data = new StringBuilder();
        String event = null;
        String id = null;
        for (String line = reader.readLine(); ; line = reader.readLine()) {
            if (line == null) {
                throw new IOException("the event stream ended");
            }
            heardNanos = System.nanoTime();
            if (!line.isEmpty()) {
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
                if (field.equals("data")) {
                    data.append(data.length() == 0 ? "" : "\n").append(value);
                } else if (field.equals("event")) {
                    event = value;
                } else if (field.equals("id")) {
                    id = value;
                }
                continue; // Comments (": keepalive") and unknown fields are ignored.
            }
            if ("gone".equals(event)) {
                disconnect();
                throw new RefusedException(410, "gone", "events after index " + lastIndex
                        + " are no longer kept", Wire.parse(data.toString()).path("error"));
            }
            if (data.length() > 0) {
                JsonNode json = Wire.parse(data.toString());
                entry.add(Wire.read(json, TaskEvent.class));
            }
            if (id != null && !id.isBlank()) {
                lastIndex = Long.parseLong(id.trim());
                ready.addAll(entry);
                return;
            }
            data.setLength(0);
            event = null;
        }
    }

    private void disconnect() {
        InputStream in = body;
        body = null;
        reader = null;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // Closing a broken connection: nothing to do.
            }
        }
    }

    /** Ends the stream; a {@link #next()} blocked in another thread throws. */
    @Override
    public void close() {
        closed = true;
        watchdog.cancel(false);
        disconnect();
    }
}
