package dev.baton.client.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code --driver loop}, the default: every agent and writer is a callback on one Netty event
 * loop. Each owns one kept-alive connection with one request outstanding, and the loop's thread
 * runs its next step when the answer arrives. This is how pgbench drives its clients (one thread,
 * a connection each) and wrk its connections. The load generator shares the machine with the
 * cluster it measures, and a thread per agent ({@link ClientAgents}) cost about four times the
 * CPU per request, taken from the servers (docs/PERFORMANCE.md, item 19).
 *
 * <p>Failover works as in the client library's {@code Transport}:
 * <ul>
 *   <li>a write carries one Idempotency-Key through all its attempts, so that together they
 *       apply it at most once;</li>
 *   <li>a refused or cut connection, no answer in time, or a 500, 502, 503 or 504 sends the same
 *       request to the next node. There is no pause until every node has failed in turn, then
 *       50 ms doubling to 1 s, and a Retry-After is honoured up to 5 s;</li>
 *   <li>an answer that names the leader ({@code Baton-Leader}) moves the agent there;</li>
 *   <li>an operation with no final answer within its deadline is counted as failed.</li>
 * </ul>
 *
 * <p>Every field below the constructor's is touched on the loop's thread only.
 */
final class LoopAgents implements Driver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final int CONNECT_TIMEOUT_MS = 2_000;
    /** How long an operation keeps trying (a complete, which must not be lost, ten times). */
    private static final long RETRY_DEADLINE_MS = 15_000;
    private static final long BACKOFF_MIN_MS = 50;
    private static final long BACKOFF_MAX_MS = 1_000;
    private static final long RETRY_AFTER_MAX_MS = 5_000;
    /** A node that failed lately is not worth following a leader hint to. */
    private static final long AVOID_AFTER_FAILURE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int ANSWER_BYTES_MAX = 16 << 20;
    private static final String LEADER_HEADER = "Baton-Leader";

    /** No server accepted a connection. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    private final List<String> hostPorts;
    private final List<InetSocketAddress> addresses;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;

    /** The node new agents start at: the last one that answered, or the leader it named. */
    private int preferred;
    /** When each node last failed a request (System.nanoTime()), 0 for never. */
    private final long[] failedAt;
    /** The agents of the phases so far, each with its connection. */
    private final List<Agent> pool = new ArrayList<>();

    private LoopAgents(List<String> hostPorts) {
        this.hostPorts = hostPorts;
        this.addresses = hostPorts.stream().map(LoopAgents::address).toList();
        this.failedAt = new long[hostPorts.size()];
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("bench-loop", true));
        this.loop = group.next();
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS);
    }

    /**
     * A driver for {@code servers} ({@code host:port,...}, each optionally {@code http://}),
     * once one of them accepts a connection.
     *
     * @throws Unreachable when none does
     * @throws IllegalArgumentException when one is not {@code host:port}
     */
    static LoopAgents start(String servers) throws Unreachable {
        List<String> hostPorts = new ArrayList<>();
        for (String s : servers.split(",")) {
            String t = s.trim().replaceFirst("^http://", "").replaceFirst("/+$", "");
            if (t.startsWith("https://")) {
                throw new IllegalArgumentException("--driver loop speaks plain HTTP; "
                        + "--driver client for " + t);
            }
            if (!t.isEmpty()) {
                address(t); // Refuses what is not host:port.
                hostPorts.add(t);
            }
        }
        List<String> failures = new ArrayList<>();
        for (String hostPort : hostPorts) {
            try (Socket probe = new Socket()) {
                probe.connect(address(hostPort), CONNECT_TIMEOUT_MS);
                return new LoopAgents(hostPorts);
            } catch (IOException e) {
                failures.add(hostPort + ": " + e.getMessage());
            }
        }
        throw new Unreachable(failures.isEmpty() ? "no servers" : String.join("; ", failures));
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (colon > 0 && port > 0 && port < 65536) {
                return new InetSocketAddress(
                        hostPort.substring(0, colon).replaceAll("[\\[\\]]", ""), port);
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw new IllegalArgumentException("a server is host:port, got \"" + hostPort + "\"");
    }

    @Override
    public void create(Bench.Run run, int n) throws InterruptedException {
        long start = run.begin("create");
        int[] next = {0};
        agents(run.workers, (a, finished) -> write(run, a, n, next, finished));
        run.end("create", start);
    }

    /** A writer: creates the next task of {@code n} until none are left. */
    private void write(Bench.Run run, Agent a, int n, int[] next, Runnable finished) {
        if (next[0] >= n || run.timeIsUp()) {
            finished.run();
            return;
        }
        ObjectNode task = JSON.createObjectNode().put("subject", "bench task " + next[0]++);
        a.send(Call.post(inQueue(run, "/tasks"), task, RETRY_DEADLINE_MS, 0, answer -> {
            answer.record(run, "create");
            write(run, a, n, next, finished);
        }));
    }

    /** What a drain shares between its agents. */
    private static final class Drain {
        /** Tasks to complete: those created (a create that failed leaves none to claim). */
        int target;
        int done;
        long lastDoneNanos;
    }

    @Override
    public void drain(Bench.Run run, int n, boolean chained) throws InterruptedException {
        if (chained) {
            long start = run.begin("create");
            int[] nextChain = {0};
            int[] made = {0};
            agents(run.workers, (a, finished) ->
                    nextChain(run, a, n, nextChain, made, finished));
            run.end("create", start);
        } else {
            create(run, n);
        }
        Drain d = new Drain();
        d.target = run.op("create").count();
        long claimStart = run.begin("claim");
        agents(run.workers, (a, finished) -> claim(run, a, d, finished));
        run.end("claim", claimStart);
        if (d.target > 0 && d.done >= d.target) {
            run.drained(claimStart, d.lastDoneNanos);
        }
    }

    /**
     * A writer of whole chains of four, each task blocked by the one before, so that a task's
     * blocker already exists: starts the next chain while fewer than {@code n} tasks are made.
     */
    private void nextChain(Bench.Run run, Agent a, int n, int[] nextChain, int[] made,
                           Runnable finished) {
        if (nextChain[0] >= (n + 3) / 4 || made[0] >= n || run.timeIsUp()) {
            finished.run();
            return;
        }
        chainStep(run, a, n, nextChain, made, nextChain[0]++, 0, -1, finished);
    }

    /** Creates step {@code step} of chain {@code chain}, blocked by task {@code previous}. */
    private void chainStep(Bench.Run run, Agent a, int n, int[] nextChain, int[] made,
                           int chain, int step, long previous, Runnable finished) {
        if (step == 4 || made[0] >= n || run.timeIsUp()) {
            nextChain(run, a, n, nextChain, made, finished);
            return;
        }
        made[0]++;
        ObjectNode task = JSON.createObjectNode().put("subject", "chain " + chain + " step "
                + step);
        if (previous >= 0) {
            task.putArray("blockedBy").add(previous);
        }
        a.send(Call.post(inQueue(run, "/tasks"), task, RETRY_DEADLINE_MS, 0, answer -> {
            if (answer.record(run, "create")) {
                chainStep(run, a, n, nextChain, made, chain, step + 1,
                        answer.body().id(), finished);
            } else {
                // The rest of this chain cannot be made: its blocker is missing.
                nextChain(run, a, n, nextChain, made, finished);
            }
        }));
    }

    /** An agent: claim-next, complete what it got, again, until the drain is done. */
    private void claim(Bench.Run run, Agent a, Drain d, Runnable finished) {
        if (d.done >= d.target || run.timeIsUp()) {
            finished.run();
            return;
        }
        // After an empty answer, long-poll instead of asking again at once: the rest is held by
        // others, or waits on blockers that are running.
        int waitMs = a.idle ? Bench.IDLE_WAIT_MS : 0;
        ObjectNode ask = JSON.createObjectNode().put("agent", a.name).put("count", run.count);
        if (waitMs > 0) {
            ask.put("waitMs", waitMs);
        }
        a.send(Call.post(inQueue(run, "/claim"), ask, RETRY_DEADLINE_MS,
                waitMs, answer -> {
                    if (answer.status() == 0) {
                        answer.record(run, "claim");
                        // No answer: the claim may have been granted, and then only this agent
                        // can finish that task (see below). Again, after a pause.
                        a.mayHoldUnknown = true;
                        later(() -> claim(run, a, d, finished));
                        return;
                    }
                    if (!answer.ok()) {
                        answer.record(run, "claim");
                        finished.run(); // Refused: asking again would be refused again.
                        return;
                    }
                    List<Grant> claims = answer.body().claims();
                    a.idle = claims.isEmpty();
                    if (a.idle) {
                        // An empty answer is not a claim: not recorded.
                        if (a.mayHoldUnknown) {
                            finishHeld(run, a, d, finished);
                        } else {
                            claim(run, a, d, finished);
                        }
                        return;
                    }
                    run.op("claim").record(answer.nanos());
                    run.pauses.claimed();
                    for (Grant c : claims) {
                        run.claimed(c.id(), c.token());
                    }
                    complete(run, a, d, claims, 0, () -> claim(run, a, d, finished));
                }));
    }

    /** Completes {@code claims} from the {@code i}th on, one at a time, then {@code next}. */
    private void complete(Bench.Run run, Agent a, Drain d, List<Grant> claims, int i,
                          Runnable next) {
        if (i == claims.size()) {
            next.run();
            return;
        }
        Grant c = claims.get(i);
        ObjectNode token = JSON.createObjectNode().put("token", c.token());
        a.send(Call.post(inQueue(run, "/tasks/" + c.id() + "/complete"),
                token, 10 * RETRY_DEADLINE_MS, 0, answer -> {
                    if (answer.record(run, "complete")) {
                        d.done++;
                        d.lastDoneNanos = System.nanoTime();
                    } else {
                        // Still held by this agent, perhaps: a pulse will find it (see below).
                        a.mayHoldUnknown = true;
                    }
                    complete(run, a, d, claims, i + 1, next);
                }));
    }

    /**
     * After a claim that got no answer, or a complete that failed: the cluster may have granted
     * that claim, or kept it, and then this agent holds a task no other agent can claim while
     * the agent's next claims keep its session alive (the drain would never end). As an agent
     * that restarted would, it asks what it holds (a pulse) and completes those tasks.
     */
    private void finishHeld(Bench.Run run, Agent a, Drain d, Runnable finished) {
        ObjectNode ttl = JSON.createObjectNode().put("ttlMs", 30_000);
        a.send(Call.post("/v1/agents/" + a.name + "/pulse", ttl, RETRY_DEADLINE_MS, 0,
                answer -> {
                    if (!answer.ok()) {
                        answer.record(run, "pulse");
                        claim(run, a, d, finished); // The next empty answer asks again.
                        return;
                    }
                    a.mayHoldUnknown = false;
                    List<Grant> held = new ArrayList<>();
                    for (Grant h : answer.body().claims()) {
                        if (run.queue.equals(h.queue())) {
                            held.add(h);
                            run.claimed(h.id(), h.token());
                        }
                    }
                    complete(run, a, d, held, 0, () -> claim(run, a, d, finished));
                }));
    }

    @Override
    public void single(Bench.Run run, int n) throws InterruptedException {
        long start = run.begin("claim");
        int[] i = {0};
        agents(1, (a, finished) -> single(run, a, n, i, finished));
        run.end("claim", start);
    }

    /** The one agent: claim-next, complete, {@code n} times. */
    private void single(Bench.Run run, Agent a, int n, int[] i, Runnable finished) {
        if (i[0]++ >= n || run.timeIsUp()) {
            finished.run();
            return;
        }
        ObjectNode ask = JSON.createObjectNode().put("agent", "single");
        a.send(Call.post(inQueue(run, "/claim"), ask, RETRY_DEADLINE_MS,
                0, answer -> {
                    List<Grant> claims = List.of();
                    if (answer.record(run, "claim")) {
                        claims = answer.body().claims();
                        claims.forEach(c -> run.claimed(c.id(), c.token()));
                    }
                    complete(run, a, new Drain(), claims, 0,
                            () -> single(run, a, n, i, finished));
                }));
    }

    /** Runs after a pause, so that an agent whose calls fail does not spin. */
    private void later(Runnable step) {
        loop.schedule(step, BACKOFF_MIN_MS, TimeUnit.MILLISECONDS);
    }

    /** The path of {@code rest} in the run's queue. */
    private static String inQueue(Bench.Run run, String rest) {
        return "/v1/queues/" + run.queue + rest;
    }

    /**
     * Starts {@code count} agents on the loop and waits until each has called its finish. The
     * agents and their connections are kept for the next phase, as a client keeps its idle
     * connections: a drain's claims start on connections its creates opened, to the leader.
     */
    private void agents(int count, AgentBody body) throws InterruptedException {
        CountDownLatch finishedAll = new CountDownLatch(count);
        loop.execute(() -> {
            for (int i = 0; i < count; i++) {
                if (i == pool.size()) {
                    pool.add(new Agent("bench-agent-" + i));
                }
                Agent a = pool.get(i);
                a.idle = false;
                a.mayHoldUnknown = false;
                boolean[] once = {false};
                body.start(a, () -> {
                    if (!once[0]) {
                        once[0] = true;
                        finishedAll.countDown();
                    }
                });
            }
        });
        try {
            finishedAll.await();
        } catch (InterruptedException e) {
            loop.execute(() -> {
                pool.forEach(Agent::close); // Their calls are abandoned.
                pool.clear();
            });
            throw e;
        }
    }

    private interface AgentBody {
        void start(Agent a, Runnable finished);
    }

    /**
     * One operation: a POST (every call the agents make is one), sent until it gets a final
     * answer or its deadline passes.
     *
     * @param key the Idempotency-Key every attempt carries
     * @param holdMs how long the server may hold it on purpose (a long poll)
     */
    private record Call(String path, byte[] body, String key, long deadlineMs, long holdMs,
                        Consumer<Answer> then, long startNanos) {
        static Call post(String path, JsonNode body, long deadlineMs, long holdMs,
                         Consumer<Answer> then) {
            try {
                return new Call(path, JSON.writeValueAsBytes(body),
                        Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE,
                                36) + Long.toString(System.nanoTime(), 36),
                        deadlineMs, holdMs, then, System.nanoTime());
            } catch (IOException e) {
                throw new IllegalStateException(e); // An ObjectNode always writes.
            }
        }
    }

    /**
     * A final answer: a 2xx or 4xx, or status 0 when none came within the deadline (then
     * {@code error} says why).
     */
    private record Answer(int status, Read body, String error, long nanos) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** Records its latency under {@code op} when it succeeded, else a failure; says which. */
        boolean record(Bench.Run run, String op) {
            if (ok()) {
                run.op(op).record(nanos);
                return true;
            }
            run.failed(op, status == 0 ? error
                    : status + " " + body.errorCode() + " " + body.errorMessage());
            return false;
        }
    }

    /** A claim in an answer: its task's queue (a pulse's claims name it), id and token. */
    private record Grant(String queue, long id, long token) {
    }

    /**
     * The few fields of an answer that the agents read: a created task's {@code id}, the
     * {@code claims} of a claim-next or a pulse, an error's code and message. Read from the
     * text as it streams past, without building a tree of the whole task: the tree was a fifth
     * of the loop thread's time (JFR).
     */
    private record Read(long id, List<Grant> claims, String errorCode, String errorMessage) {
        static final Read NOTHING = new Read(-1, List.of(), "", "");

        static Read of(byte[] text) throws IOException {
            long id = -1;
            List<Grant> claims = List.of();
            String code = "";
            String message = "";
            try (JsonParser p = JSON.getFactory().createParser(text)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return NOTHING;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("id")) {
                        id = p.getValueAsLong(-1);
                    } else if (field.equals("claims") && value == JsonToken.START_ARRAY) {
                        claims = new ArrayList<>();
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            claims.add(grant(p));
                        }
                    } else if (field.equals("error") && value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            p.nextToken();
                            if (name.equals("code")) {
                                code = p.getValueAsString("");
                            } else if (name.equals("message")) {
                                message = p.getValueAsString("");
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            }
            return new Read(id, claims, code, message);
        }

        /** One claim, the parser at its opening brace: a pulse's, or a claim-next's. */
        private static Grant grant(JsonParser p) throws IOException {
            String queue = null;
            long id = -1;
            long token = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("queue")) {
                    queue = p.getValueAsString();
                } else if (field.equals("id")) {
                    id = p.getValueAsLong(-1);
                } else if (field.equals("token")) {
                    token = p.getValueAsLong(-1);
                } else if (field.equals("task") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        boolean isId = p.currentName().equals("id");
                        p.nextToken();
                        if (isId) {
                            id = p.getValueAsLong(-1);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            return new Grant(queue, id, token);
        }
    }

    /** An agent or writer: one connection at a time, one call outstanding. */
    private final class Agent {
        final String name;
        boolean idle;
        boolean mayHoldUnknown;
        private int node = preferred;
        private Channel channel;
        private Call call;
        private int attempt;
        private long deadlineNanos;
        private ScheduledFuture<?> timer;

        Agent(String name) {
            this.name = name;
        }

        void send(Call c) {
            call = c;
            attempt = 0;
            deadlineNanos = c.startNanos() + TimeUnit.MILLISECONDS.toNanos(c.deadlineMs()
                    + c.holdMs());
            attempt();
        }

        /** Sends the call on the open connection, or connects to this agent's node first. */
        private void attempt() {
            Call c = call;
            if (channel != null && channel.isActive()) {
                write(c);
                return;
            }
            close();
            Agent agent = this;
            ChannelFuture connecting = bootstrap.clone().handler(
                    new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(),
                                    new HttpObjectAggregator(ANSWER_BYTES_MAX), new Inbound(agent));
                        }
                    }).connect(addresses.get(node));
            Channel ch = connecting.channel();
            channel = ch;
            connecting.addListener(f -> {
                if (call == c && channel == ch) {
                    if (f.isSuccess()) {
                        write(c);
                    } else {
                        failed(c, "cannot connect: " + f.cause().getMessage(), null, true);
                    }
                }
            });
        }

        private void write(Call c) {
            DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                    HttpMethod.POST, c.path(), Unpooled.wrappedBuffer(c.body()));
            HttpHeaders h = r.headers();
            h.set(HttpHeaderNames.HOST, hostPorts.get(node));
            h.set(HttpHeaderNames.USER_AGENT, "baton-bench");
            h.set(HttpHeaderNames.ACCEPT, "application/json");
            h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, c.body().length);
            h.set("Idempotency-Key", c.key());
            Channel ch = channel;
            ch.writeAndFlush(r).addListener(f -> {
                if (!f.isSuccess() && call == c && channel == ch) {
                    failed(c, "cannot send: " + f.cause().getMessage(), null, true);
                }
            });
            // Each attempt waits at most the call's time left (and one millisecond).
            long waitNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(
                    TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS + c.holdMs()),
                    deadlineNanos - System.nanoTime()));
            timer = loop.schedule(() -> {
                if (call == c && channel == ch) {
                    failed(c, "no answer in " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms",
                            null, true);
                }
            }, waitNanos, TimeUnit.NANOSECONDS);
        }

        void answered(Channel ch, FullHttpResponse response) {
            if (ch != channel || call == null) {
                return; // An answer to an attempt given up: its connection is being closed.
            }
            Call c = call;
            cancelTimer();
            if (response.decoderResult().isFailure()) {
                // A connection cut inside the headers, or bytes that are not HTTP: Netty hands
                // on what it parsed, which may carry a real status and no body.
                failed(c, "an answer that is not HTTP: " + response.decoderResult().cause(),
                        null, true);
                return;
            }
            int status = response.status().code();
            Read body;
            try {
                body = Read.of(ByteBufUtil.getBytes(response.content()));
            } catch (IOException e) {
                body = Read.NOTHING;
            }
            if (status == 500 || status == 502 || status == 503 || status == 504) {
                String retryAfter = response.headers().get(HttpHeaderNames.RETRY_AFTER);
                Long retryAfterMs = null;
                try {
                    retryAfterMs = retryAfter == null ? null
                            : Math.max(0, Long.parseLong(retryAfter.trim())) * 1_000;
                } catch (NumberFormatException e) {
                    // An HTTP date: Baton never sends one, so back off as usual.
                }
                failed(c, status + " " + body.errorMessage(), retryAfterMs, false);
                return;
            }
            int leader = hostPorts.indexOf(response.headers().get(LEADER_HEADER, ""));
            if (leader >= 0 && leader != node && !failedLately(leader)) {
                close();
                node = leader;
            }
            preferred = node;
            call = null;
            c.then().accept(new Answer(status, body, null, System.nanoTime() - c.startNanos()));
        }

        void lost(Channel ch, String why) {
            if (ch == channel && call != null) {
                failed(call, why, null, true);
            }
        }

        /**
         * This attempt failed: the next node, after a pause, or give up at the deadline.
         *
         * @param unreachable the node did not answer (a node that answered 503 is likely to lead
         *                    once its election ends, so its hints are still followed)
         */
        private void failed(Call c, String why, Long retryAfterMs, boolean unreachable) {
            cancelTimer();
            close();
            if (unreachable) {
                failedAt[node] = System.nanoTime();
            }
            String failure = hostPorts.get(node) + ": " + why;
            node = (node + 1) % addresses.size();
            long pauseMs = pauseMs(attempt++, retryAfterMs);
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs) - deadlineNanos >= 0) {
                call = null;
                c.then().accept(new Answer(0, Read.NOTHING, failure,
                        System.nanoTime() - c.startNanos()));
            } else if (pauseMs == 0) {
                attempt();
            } else {
                timer = loop.schedule(() -> {
                    if (call == c) {
                        attempt();
                    }
                }, pauseMs, TimeUnit.MILLISECONDS);
            }
        }

        private long pauseMs(int attempt, Long retryAfterMs) {
            if (retryAfterMs != null) {
                return Math.min(retryAfterMs, RETRY_AFTER_MAX_MS);
            }
            int n = addresses.size();
            if ((attempt + 1) % n != 0) {
                return 0;
            }
            long backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS << Math.min((attempt + 1) / n
                    - 1, 10));
            return backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        /** Closes the connection; its late events are ignored from now on. */
        void close() {
            cancelTimer();
            if (channel != null) {
                Channel ch = channel;
                channel = null;
                ch.close();
            }
        }
    }

    private boolean failedLately(int node) {
        return failedAt[node] != 0
                && System.nanoTime() - failedAt[node] < AVOID_AFTER_FAILURE_NANOS;
    }

    /** A connection's answers and end, handed to its agent. */
    private static final class Inbound extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Agent agent;
        private String cause = "the connection closed";

        Inbound(Agent agent) {
            this.agent = agent;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            agent.answered(ctx.channel(), response);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            agent.lost(ctx.channel(), cause);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
            cause = "the connection failed: " + e.getMessage();
            ctx.close();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
