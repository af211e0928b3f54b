package dev.baton.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.core.Codec;
import dev.baton.core.TaskReader;
import dev.baton.server.raft.TaskStateMachine;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/events}: server-sent events of every task's history, in log order, from this
 * node's applied state. Each subscriber is a cursor (the last log index sent) and a channel; no
 * thread waits per subscriber. After every applied entry one pass sends each subscriber what
 * came after its cursor.
 *
 * <p>An entry's events are sent together, and only the last of them carries the SSE {@code id}
 * (the entry's log index): a client that reconnects with {@code Last-Event-ID} resumes after the
 * last entry it received whole, without gaps, and without repeats unless the connection broke
 * in the middle of an entry.
 */
final class EventStreams implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
    private static final int BATCH = 500;
    private static final long KEEPALIVE_SECONDS = 15;

    private final TaskStateMachine stateMachine;
    private final ScheduledExecutorService pump = Executors.newSingleThreadScheduledExecutor(
            r -> {
                Thread t = new Thread(r, "baton-event-streams");
                t.setDaemon(true);
                return t;
            });
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean passPending = new AtomicBoolean();

    private static final class Subscriber {
        final ChannelHandlerContext ctx;
        final String queue;
        long cursor;

        Subscriber(ChannelHandlerContext ctx, String queue, long cursor) {
            this.ctx = ctx;
            this.queue = queue;
            this.cursor = cursor;
        }
    }

    EventStreams(TaskStateMachine stateMachine) {
        this.stateMachine = stateMachine;
        stateMachine.addAppliedListener(this);
        pump.scheduleWithFixedDelay(this::keepAlive, KEEPALIVE_SECONDS, KEEPALIVE_SECONDS,
                TimeUnit.SECONDS);
    }

    /** Answers 200 with an event stream that starts after {@code afterIndex}. */
    void open(ChannelHandlerContext ctx, String queue, long afterIndex) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ctx.writeAndFlush(response);
        Subscriber s = new Subscriber(ctx, queue, afterIndex);
        subscribers.add(s);
        ctx.channel().closeFuture().addListener(f -> subscribers.remove(s));
        run();
    }

    /** Called after every applied entry, on the applying thread: only schedules a pass. */
    @Override
    public void run() {
        if (!subscribers.isEmpty() && passPending.compareAndSet(false, true)) {
            pump.execute(this::pass);
        }
    }

    private void pass() {
        passPending.set(false);
        boolean more = false;
        for (Subscriber s : subscribers) {
            try {
                more |= send(s);
            } catch (RuntimeException e) {
                LOG.debug("event stream not served this pass: {}", e.toString());
            }
        }
        if (more) {
            run();
        }
    }

    /** Sends one batch to a subscriber; true when more may be waiting. */
    private boolean send(Subscriber s) {
        if (!s.ctx.channel().isActive()) {
            subscribers.remove(s);
            return false;
        }
        if (!s.ctx.channel().isWritable()) {
            return false; // A slow reader: try again on a later pass, from the same cursor.
        }
        TaskReader.EventBatch batch = stateMachine.read(r -> r.eventsAfter(s.cursor, s.queue,
                BATCH));
        if (batch == null) {
            // The reader fell further behind than the events kept: it must start over.
            write(s, "event: gone\ndata: {\"error\": {\"code\": \"gone\"}}\n\n");
            s.ctx.close();
            subscribers.remove(s);
            return false;
        }
        if (batch.throughIndex() == s.cursor) {
            return false;
        }
        StringBuilder text = new StringBuilder();
        List<Codec.StreamEvent> events = batch.events();
        for (int i = 0; i < events.size(); i++) {
            Codec.StreamEvent e = events.get(i);
            ObjectNode json = Json.object();
            json.put("queue", e.queue());
            json.put("id", e.id());
            json.setAll(Json.event(e.event()));
            boolean lastOfEntry = i + 1 == events.size()
                    || events.get(i + 1).event().index() != e.event().index();
            text.append("data: ").append(json.toString()).append('\n');
            if (lastOfEntry) {
                text.append("id: ").append(e.event().index()).append('\n');
            }
            text.append('\n');
        }
        if (text.length() > 0) {
            write(s, text.toString());
        }
        s.cursor = batch.throughIndex();
        return true;
    }

    private static void write(Subscriber s, String text) {
        s.ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text,
                StandardCharsets.UTF_8)));
    }

    private void keepAlive() {
        for (Subscriber s : subscribers) {
            if (s.ctx.channel().isActive()) {
                s.ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(
                        ": keepalive\n\n", StandardCharsets.UTF_8)))
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }

    @Override
    public void close() {
        pump.shutdownNow();
        for (Subscriber s : subscribers) {
            s.ctx.close();
        }
    }
}
