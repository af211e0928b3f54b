package dev.baton.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Netty's HTTP/1.1 codec as an {@link HttpEngine}, run on the calling thread over a kept-alive
 * blocking socket: the caller encodes its request, writes it, reads the answer and decodes it
 * itself, with no other thread involved. Netty parses and writes the HTTP; this class only moves
 * bytes between a socket and the codec.
 *
 * <p>Why not Netty's own event loop (this engine's first form): each call then crossed two
 * threads, the caller handing its request to the loop and the loop handing the answer back, and
 * on two busy cores each hand-off waited for a core; a load generator of 32 agents spent about
 * 1.5 ms of every call in them. About 30 µs of CPU a call against the JDK client's 60-65
 * (docs/PERFORMANCE.md, items 15 and 16). Plain {@code http://} only.
 *
 * <p>A caller waits on its connection's selector, so interrupting a waiting caller ends the call
 * with an {@link InterruptedException} and closes the connection, as with the JDK's client.
 *
 * <p>Netty is an optional dependency of the library: an application that chooses this engine
 * brings {@code io.netty:netty-codec-http}; the {@code baton} command line carries it.
 */
final class NettyHttpEngine implements HttpEngine {
    /** The largest answer taken (a page of tasks is far smaller). */
    private static final int ANSWER_BYTES_MAX = 64 << 20;

    private final Duration connectTimeout;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    /** Every open connection, idle or in use, so that {@link #close} closes them all. */
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** One server: where to connect, and its idle connections. */
    private record Target(String host, int port, String hostHeader, Queue<Connection> idle) {
    }

    /**
     * A socket, and the codec that turns requests into its bytes and its bytes into answers.
     * The socket stays non-blocking and is waited on through a selector of its own: a blocking
     * NIO socket switches itself to non-blocking and back around every read with a timeout,
     * four {@code fcntl} calls a read, which on this project's two-core machine were half of
     * a call's system calls (docs/PERFORMANCE.md, item 17).
     */
    private static final class Connection {
        final SocketChannel socket;
        final Selector selector;
        final EmbeddedChannel codec = new EmbeddedChannel(new HttpClientCodec(),
                new HttpObjectAggregator(ANSWER_BYTES_MAX));
        final ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);

        Connection(SocketChannel socket) throws IOException {
            this.socket = socket;
            this.selector = Selector.open();
            try {
                socket.configureBlocking(false);
                socket.register(selector, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                selector.close();
                throw e;
            }
        }

        /**
         * Waits up to {@code millis} for the socket to be ready for what its key asks.
         *
         * @throws InterruptedException when the caller is interrupted while it waits
         */
        void await(long millis) throws IOException, InterruptedException {
            try {
                selector.select(Math.max(1, millis));
                selector.selectedKeys().clear();
            } catch (IllegalStateException e) { // Closed selector, cancelled key.
                throw new IOException("the connection was closed", e);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted");
            }
            if (!socket.isOpen()) {
                throw new IOException("the connection was closed");
            }
        }

        /** Writes all of {@code b}, waiting for room within the deadline. */
        void write(ByteBuf b, long deadline, String server, Duration timeout)
                throws IOException, InterruptedException {
            ByteBuffer bytes = b.nioBuffer();
            socket.write(bytes);
            if (!bytes.hasRemaining()) {
                return;
            }
            // Room to write only: an early answer or a close must not end every wait at once.
            interest(SelectionKey.OP_WRITE);
            try {
                while (bytes.hasRemaining()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new HttpTimeoutException("could not send to " + server
                                + " within " + timeout.toMillis() + " ms");
                    }
                    await(TimeUnit.NANOSECONDS.toMillis(left));
                    socket.write(bytes);
                }
            } finally {
                try {
                    interest(SelectionKey.OP_READ);
                } catch (IOException e) {
                    // Closed meanwhile: the call fails on its own.
                }
            }
        }

        private void interest(int ops) throws IOException {
            SelectionKey key = socket.keyFor(selector);
            try {
                if (key == null) {
                    throw new CancelledKeyException();
                }
                key.interestOps(ops);
            } catch (IllegalStateException e) { // Cancelled key, closed selector.
                throw new IOException("the connection was closed", e);
            }
        }

        /**
         * Safe from any thread: a caller waiting on it gets an IOException. The selector is
         * closed too: a socket registered with one is only really closed when the selector
         * lets go of it, and an idle connection's selector would otherwise never look again.
         */
        void closeSocket() {
            try {
                socket.close();
            } catch (IOException e) {
                // Gone either way.
            }
            try {
                selector.close(); // Wakes a caller waiting in select.
            } catch (IOException e) {
                // Gone either way.
            }
        }

        /** Only by the thread using it: the codec is not thread-safe. */
        void close() {
            closeSocket();
            try {
                codec.finishAndReleaseAll();
            } catch (RuntimeException e) {
                // The codec's complaint that an answer was cut short: known already.
            }
        }
    }

    NettyHttpEngine(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
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
        long deadline = System.nanoTime() + timeout.toNanos();
        Target target = targets.computeIfAbsent(server, NettyHttpEngine::target);
        Connection c = acquire(target, timeout);
        boolean reusable = false;
        try {
            // The attempt's timeout covers connecting too, as the JDK's client's does.
            if (System.nanoTime() >= deadline) {
                reusable = true; // Nothing was sent on it.
                throw new HttpConnectTimeoutException("no time left after connecting to "
                        + target.hostHeader());
            }
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                    HttpMethod.valueOf(method), path,
                    body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            request.headers().set(HttpHeaderNames.HOST, target.hostHeader());
            headers.forEach((name, value) -> request.headers().set(name, value));
            if (body != null || !method.equals("GET")) {
                HttpUtil.setContentLength(request, body == null ? 0 : body.length);
            }
            c.codec.writeOutbound(request);
            for (ByteBuf b = c.codec.readOutbound(); b != null; b = c.codec.readOutbound()) {
                try {
                    c.write(b, deadline, server, timeout);
                } finally {
                    b.release();
                }
            }
            FullHttpResponse r = read(c, server, deadline, timeout);
            try {
                if (r.decoderResult().isFailure()) {
                    throw new IOException("a malformed answer", r.decoderResult().cause());
                }
                Map<String, String> names = new HashMap<>();
                r.headers().forEach(h -> names.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT),
                        h.getValue()));
                Response response = new Response(r.status().code(),
                        r.content().toString(StandardCharsets.UTF_8), names);
                reusable = HttpUtil.isKeepAlive(r) && !closed;
                return response;
            } finally {
                r.release();
            }
        } catch (InterruptedException | ClosedByInterruptException e) {
            // Cleared, as the JDK's client does: the exception tells the caller.
            Thread.interrupted();
            throw new InterruptedException("interrupted while waiting for " + server);
        } finally {
            // A connection whose exchange did not end cleanly may still carry a late answer.
            if (reusable) {
                target.idle().offer(c);
            } else {
                open.remove(c);
                c.close();
            }
        }
    }

    /** Reads until the codec has a whole answer, or the deadline passes. */
    private static FullHttpResponse read(Connection c, String server, long deadline,
                                         Duration timeout)
            throws IOException, InterruptedException {
        while (true) {
            Object m = c.codec.readInbound();
            if (m instanceof FullHttpResponse r) {
                return r;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new HttpTimeoutException("no answer from " + server + " within "
                        + timeout.toMillis() + " ms");
            }
            // The answer is rarely there the moment the request has left: wait first.
            c.await(TimeUnit.NANOSECONDS.toMillis(left));
            c.buffer.clear();
            int n = c.socket.read(c.buffer);
            if (n == 0) {
                continue; // Woken without bytes; the loop's deadline check decides.
            }
            try {
                if (n < 0) {
                    return end(c);
                }
                // A copy: the aggregated answer may keep slices of what it was given.
                c.codec.writeInbound(Unpooled.copiedBuffer(c.buffer.array(), 0, n));
            } catch (RuntimeException e) {
                throw new IOException("a malformed answer", e);
            }
        }
    }

    /** The answer that ends where its connection does, if the codec has one whole. */
    private static FullHttpResponse end(Connection c) throws IOException {
        try {
            c.codec.finish();
        } catch (RuntimeException e) {
            // Cut short: no answer.
        }
        if (c.codec.readInbound() instanceof FullHttpResponse r) {
            return r;
        }
        throw new IOException("the connection closed before an answer");
    }

    /** An idle open connection to the target, or a new one within {@code timeout}. */
    private Connection acquire(Target target, Duration timeout) throws IOException {
        if (closed) {
            throw new IOException("the client is closed");
        }
        for (Connection c = target.idle().poll(); c != null; c = target.idle().poll()) {
            if (c.socket.isOpen()) {
                return c;
            }
            open.remove(c);
            c.close();
        }
        SocketChannel socket = SocketChannel.open();
        try {
            socket.socket().setTcpNoDelay(true);
            socket.socket().connect(new InetSocketAddress(target.host(), target.port()),
                    (int) Math.max(1, Math.min(connectTimeout.toMillis(),
                            timeout.toMillis())));
            Connection c = new Connection(socket);
            open.add(c);
            return c;
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new HttpConnectTimeoutException("connect to " + target.hostHeader()
                    + " timed out");
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
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
        // Sockets only: a connection in use is finished by its caller, whose wait this ends.
        open.forEach(Connection::closeSocket);
    }
}
