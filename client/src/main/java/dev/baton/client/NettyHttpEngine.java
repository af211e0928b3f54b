package dev.baton.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Netty's HTTP/1.1 client as an {@link HttpEngine}: kept-alive connections, one exchange at a
 * time on each, all driven by one event-loop thread; the calling thread waits for its answer.
 * About 30 µs of CPU a call on this project's test machine against the JDK client's 60-65, which
 * matters to a load generator sharing two cores with the cluster it measures
 * (docs/PERFORMANCE.md). Plain {@code http://} only.
 *
 * <p>Netty is an optional dependency of the library: an application that chooses this engine
 * brings {@code io.netty:netty-codec-http}; the {@code baton} command line carries it.
 */
final class NettyHttpEngine implements HttpEngine {
    /** The largest answer taken (a page of tasks is far smaller). */
    private static final int ANSWER_BYTES_MAX = 64 << 20;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Duration connectTimeout;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One server: where to connect, and its idle connections. */
    private record Target(String host, int port, String hostHeader, Queue<Connection> idle) {
    }

    /** An open connection and the end of its pipeline, which hands answers to callers. */
    private record Connection(Channel channel, Exchange exchange) {
    }

    /** A whole answer, and whether its connection may carry the next request. */
    private record Answer(Response response, boolean keepAlive) {
    }

    NettyHttpEngine(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("baton-client-http", true));
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(),
                                new HttpObjectAggregator(ANSWER_BYTES_MAX), new Exchange());
                    }
                });
    }

    /** Whether this engine can talk to {@code server} (a base URL). */
    static boolean speaks(String server) {
        return server.startsWith("http://");
    }

    /** Why this engine will not talk to {@code server}. */
    static String refusal(String server) {
        return "the Netty HTTP engine speaks plain http://, not " + server;
    }

    @Override
    public Response exchange(String server, String method, String path,
                             Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        if (!speaks(server)) {
            throw new ConnectException(refusal(server));
        }
        URI.create(server + path); // Refuses what the JDK's client would (spaces, CR, LF).
        long start = System.nanoTime();
        Target target = targets.computeIfAbsent(server, NettyHttpEngine::target);
        Connection c = acquire(target, timeout);
        boolean reusable = false;
        try {
            // The attempt's timeout covers connecting too, as the JDK's client's does.
            long leftNanos = timeout.toNanos() - (System.nanoTime() - start);
            if (leftNanos <= 0) {
                reusable = true; // Nothing was sent on it.
                throw new HttpConnectTimeoutException("no time left after connecting to "
                        + target.hostHeader());
            }
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            c.exchange().pending = answer;
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                    HttpMethod.valueOf(method), path,
                    body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            request.headers().set(HttpHeaderNames.HOST, target.hostHeader());
            headers.forEach((name, value) -> request.headers().set(name, value));
            if (body != null || !method.equals("GET")) {
                HttpUtil.setContentLength(request, body == null ? 0 : body.length);
            }
            c.channel().writeAndFlush(request).addListener(written -> {
                if (!written.isSuccess()) {
                    answer.completeExceptionally(written.cause());
                }
            });
            Answer a = answer.get(leftNanos, TimeUnit.NANOSECONDS);
            reusable = a.keepAlive() && !closed;
            return a.response();
        } catch (TimeoutException e) {
            throw new HttpTimeoutException("no answer from " + server + " within "
                    + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            // A connection whose exchange did not end cleanly may still carry a late answer.
            if (reusable) {
                target.idle().offer(c);
            } else {
                c.channel().close();
            }
        }
    }

    /** An idle open connection to the target, or a new one within {@code timeout}. */
    private Connection acquire(Target target, Duration timeout)
            throws IOException, InterruptedException {
        if (closed) {
            throw new IOException("the client is closed");
        }
        for (Connection c = target.idle().poll(); c != null; c = target.idle().poll()) {
            if (c.channel().isActive()) {
                return c;
            }
        }
        ChannelFuture connecting = bootstrap.connect(target.host(), target.port());
        boolean done;
        try {
            // Netty fails the connect at CONNECT_TIMEOUT_MILLIS; a shorter attempt stops sooner.
            done = connecting.await(Math.min(connectTimeout.toMillis(), timeout.toMillis()));
        } catch (InterruptedException e) {
            connecting.cancel(false);
            connecting.channel().close(); // A connection that completes anyway is not leaked.
            throw e;
        }
        if (!done) {
            connecting.cancel(false);
            connecting.channel().close();
            throw new HttpConnectTimeoutException("connect to " + target.hostHeader()
                    + " timed out");
        }
        if (!connecting.isSuccess()) {
            Throwable cause = connecting.cause();
            if (cause instanceof ConnectTimeoutException) {
                throw new HttpConnectTimeoutException("connect to " + target.hostHeader()
                        + " timed out");
            }
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
        Channel channel = connecting.channel();
        Exchange exchange = channel.pipeline().get(Exchange.class);
        if (exchange == null) { // Closed already: its handlers are gone.
            throw new ConnectException("the connection to " + target.hostHeader()
                    + " closed as it opened");
        }
        return new Connection(channel, exchange);
    }

    private static Target target(String server) {
        URI uri = URI.create(server); // An http:// URL: exchange() checked.
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in " + server);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        return new Target(uri.getHost(), port, uri.getHost() + ":" + port,
                new ConcurrentLinkedQueue<>());
    }

    @Override
    public void close() {
        closed = true;
        targets.values().forEach(t -> t.idle().forEach(c -> c.channel().close()));
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** The end of each connection's pipeline: hands the answer to the waiting caller. */
    private static final class Exchange extends SimpleChannelInboundHandler<FullHttpResponse> {
        /** The caller waiting on this connection; set before its request is written. */
        private volatile CompletableFuture<Answer> pending;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            if (r.decoderResult().isFailure()) {
                exceptionCaught(ctx, new IOException("a malformed answer",
                        r.decoderResult().cause()));
                return;
            }
            Map<String, String> headers = new HashMap<>();
            r.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT),
                    h.getValue()));
            Response response = new Response(r.status().code(),
                    r.content().toString(StandardCharsets.UTF_8), headers);
            CompletableFuture<Answer> p = pending;
            pending = null;
            if (p != null) {
                p.complete(new Answer(response, HttpUtil.isKeepAlive(r)));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            CompletableFuture<Answer> p = pending;
            if (p != null) {
                p.completeExceptionally(new IOException("the connection closed before an answer"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            CompletableFuture<Answer> p = pending;
            if (p != null) {
                p.completeExceptionally(cause instanceof IOException ? cause
                        : new IOException(cause));
            }
            ctx.close();
        }
    }
}
