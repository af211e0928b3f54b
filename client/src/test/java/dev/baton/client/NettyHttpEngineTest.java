package dev.baton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty engine's waits: a call whose answer does not come ends at its timeout, when its
 * caller is interrupted, or when the engine is closed, and a call whose answer comes in pieces
 * gets all of it. Against a bare socket server that reads a request and answers as told.
 */
class NettyHttpEngineTest {
    private ServerSocket server;
    private String base;
    /** Counted down when the server has read a request's first bytes. */
    private final CountDownLatch requestRead = new CountDownLatch(1);
    private volatile String answer;

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        base = "http://127.0.0.1:" + server.getLocalPort();
        Thread accept = new Thread(this::serve, "silent-server");
        accept.setDaemon(true);
        accept.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** Reads a request; writes {@link #answer} a byte at a time if set, else never answers. */
    private void serve() {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            byte[] b = new byte[4096];
            if (in.read(b) > 0) {
                requestRead.countDown();
            }
            String a = answer;
            if (a != null) {
                OutputStream out = s.getOutputStream();
                for (byte x : a.getBytes(StandardCharsets.UTF_8)) {
                    out.write(x);
                    out.flush();
                }
            }
            while (in.read(b) >= 0) {
                // Hold the connection open until the client lets go.
            }
        } catch (IOException e) {
            // The test is over.
        }
    }

    private CompletableFuture<Throwable> callInBackground(NettyHttpEngine engine,
                                                          Thread[] caller) {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        caller[0] = new Thread(() -> {
            Throwable outcome = null;
            try {
                engine.exchange(base, "GET", "/v1/queues/q/tasks/1", Map.of(), null,
                        Duration.ofSeconds(60));
            } catch (Throwable t) {
                outcome = t;
            }
            ended.complete(Thread.currentThread().isInterrupted()
                    ? new AssertionError("the interrupt status was left set") : outcome);
        });
        caller[0].start();
        return ended;
    }

    @Test
    void anInterruptedCallEndsAtOnceWithInterruptedException() throws Exception {
        try (NettyHttpEngine engine = new NettyHttpEngine(Duration.ofSeconds(5))) {
            Thread[] caller = new Thread[1];
            CompletableFuture<Throwable> ended = callInBackground(engine, caller);
            assertTrue(requestRead.await(10, TimeUnit.SECONDS), "the request arrived");
            caller[0].interrupt();
            assertInstanceOf(InterruptedException.class, ended.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void closingTheEngineEndsAWaitingCall() throws Exception {
        NettyHttpEngine engine = new NettyHttpEngine(Duration.ofSeconds(5));
        Thread[] caller = new Thread[1];
        CompletableFuture<Throwable> ended = callInBackground(engine, caller);
        assertTrue(requestRead.await(10, TimeUnit.SECONDS), "the request arrived");
        engine.close();
        assertInstanceOf(IOException.class, ended.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aCallWithNoAnswerEndsAtItsTimeout() throws Exception {
        try (NettyHttpEngine engine = new NettyHttpEngine(Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            assertThrows(HttpTimeoutException.class, () -> engine.exchange(base, "GET",
                    "/v1/queues/q/tasks/1", Map.of(), null, Duration.ofMillis(300)));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMs >= 250, "gave up after " + tookMs + " ms, before its timeout");
        }
    }

    @Test
    void anAnswerThatArrivesInPiecesIsReadWhole() throws Exception {
        String body = "{\"queue\":\"q\",\"id\":1}";
        answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
        try (NettyHttpEngine engine = new NettyHttpEngine(Duration.ofSeconds(5))) {
            HttpEngine.Response r = engine.exchange(base, "POST", "/v1/queues/q/tasks",
                    Map.of("Content-Type", "application/json"),
                    "{\"subject\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(10));
            assertEquals(200, r.status());
            assertEquals(body, r.body());
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }
}
