package dev.baton.server.http;

import dev.baton.server.raft.TaskStateMachine;
import dev.baton.server.raft.Unavailable;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a Netty request into an {@link Api} call and its answer (or failure) into a response.
 * No thread waits on the cluster: the answer is written when the future completes, from
 * whichever thread completes it.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpHandler.class);

    /** On a follower's answers: where the leader serves HTTP ({@code host:port}). */
    static final String LEADER_HEADER = "Baton-Leader";

    private final Api api;

    HttpHandler(Api api) {
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        DecoderResult decoded = msg.decoderResult();
        if (decoded.isFailure()) {
            send(ctx, error(new ApiException(400, "invalid_argument",
                    "the request could not be parsed: " + decoded.cause().getMessage(),
                    Map.of())), false, null);
            return;
        }
        CompletableFuture<HttpResult> answer;
        try {
            Request request = Request.of(msg.method().name(), msg.uri(),
                    msg.headers().get("Idempotency-Key"), msg.headers().get("Last-Event-ID"),
                    ByteBufUtil.getBytes(msg.content()));
            answer = api.handle(request);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        // A client that hangs up no longer wants the answer: a parked claim-next stops waiting
        // (and will not claim for nobody).
        CompletableFuture<HttpResult> pending = answer;
        io.netty.util.concurrent.GenericFutureListener<io.netty.util.concurrent.Future<Void>>
                onClose = f -> pending.cancel(false);
        ctx.channel().closeFuture().addListener(onClose);
        answer.whenComplete((result, failure) -> {
            // One listener per request: remove it, or a keep-alive connection collects them.
            ctx.channel().closeFuture().removeListener(onClose);
            if (!(failure instanceof java.util.concurrent.CancellationException)) {
                send(ctx, failure == null ? result : error(failure), keepAlive,
                        api.leaderElsewhere());
            }
        });
    }

    /** When a 503 was last logged (System.nanoTime()), and how many went unlogged since. */
    private static final AtomicLong UNAVAILABLE_LOGGED_AT = new AtomicLong(System.nanoTime()
            - TimeUnit.SECONDS.toNanos(1));
    private static final AtomicLong UNAVAILABLE_UNLOGGED = new AtomicLong();

    /**
     * Says why a request got 503, with the cause Ratis gave, at most once a second: an
     * operator can tell an election from a node that cannot reach the leader.
     */
    private static void logUnavailable(Throwable e) {
        long now = System.nanoTime();
        long last = UNAVAILABLE_LOGGED_AT.get();
        if (now - last < TimeUnit.SECONDS.toNanos(1)
                || !UNAVAILABLE_LOGGED_AT.compareAndSet(last, now)) {
            UNAVAILABLE_UNLOGGED.incrementAndGet();
            return;
        }
        LOG.warn("answered 503 ({} more since the last such line): {}; cause: {}",
                UNAVAILABLE_UNLOGGED.getAndSet(0), e.getMessage(), String.valueOf(e.getCause()));
    }

    private static HttpResult error(Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (e instanceof ApiException a) {
            return new HttpResult(a.status, Json.bytes(Json.error(a.code, a.getMessage(),
                    a.details)));
        }
        if (e instanceof Unavailable || e instanceof TaskStateMachine.NotServingException) {
            logUnavailable(e);
            return new HttpResult(503, Json.bytes(Json.error("unavailable",
                    e.getMessage() + "; retry (with the same Idempotency-Key for writes)",
                    Map.of())), Map.of("Retry-After", "1"));
        }
        LOG.error("request failed", e);
        return new HttpResult(500, Json.bytes(Json.error("internal",
                "the server failed to answer: " + e, Map.of())));
    }

    /**
     * @param leader the leader's HTTP address when another node leads ({@code Baton-Leader}), or
     *               null
     */
    private static void send(ChannelHandlerContext ctx, HttpResult result, boolean keepAlive,
                             String leader) {
        if (result.stream() != null) {
            result.stream().accept(ctx);
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(result.status()), Unpooled.wrappedBuffer(
                result.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, result.body().length);
        result.headers().forEach((k, v) -> response.headers().set(k, v));
        if (leader != null) {
            response.headers().set(LEADER_HEADER, leader);
        }
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection failed", cause);
        ctx.close();
    }
}
