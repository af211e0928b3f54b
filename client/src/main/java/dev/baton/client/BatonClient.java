package dev.baton.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A client of a Baton cluster: every call of the HTTP API, typed, with failover across the nodes
 * it was given and safe retries.
 *
 * <pre>{@code
 * try (BatonClient client = BatonClient.builder()
 *         .servers("127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072").build()) {
 *     Task task = client.createTask("default", NewTask.of("Triage flaky deploy").priority(2));
 *     try (ClaimHandle claim = client.claim("default", task.id(), "agent:run_7a1")) {
 *         claim.complete("fixed");
 *     }
 * }
 * }</pre>
 *
 * <p><b>Failover.</b> Any node serves every call (a follower forwards writes to the leader), so
 * a call goes to the node that answered last and, when that node cannot be reached or answers
 * 503 (no leader yet), to the next, with a short backoff that honours {@code Retry-After},
 * until the call's deadline ({@link Builder#retryDeadline}, 15 s by default) passes.
 *
 * <p><b>Safe retries.</b> Every POST, PATCH and DELETE carries an {@code Idempotency-Key}: a
 * random UUID, or the caller's through the overloads that take one. All attempts of a call use
 * the same key, and the cluster applies a key once (for 24 hours, across leader changes), so a
 * retried create never makes two tasks and a retried claim never makes two claims.
 *
 * <p><b>Errors</b> say what to do: {@link RefusedException} (4xx: do not retry),
 * {@link UnavailableException} (nothing happened: retry later), {@link UnknownOutcomeException}
 * (a write may have applied: retry with its key).
 *
 * <p>Thread-safe; share one client per process. {@link #close()} stops the background pulses of
 * open {@link ClaimHandle}s and {@link Worker}s without releasing their claims.
 */
public final class BatonClient implements AutoCloseable {
    private static final int IDEMPOTENCY_KEY_CHARS_MAX = 128;

    private final Transport transport;
    private final Duration retryDeadline;
    private final Duration requestTimeout;
    private final KeepAlives keepAlives;
    private volatile boolean closed;

    private BatonClient(Builder b) {
        HttpClient http = HttpClient.newBuilder()
                // The client's own steps of an exchange run on its selector thread instead of
                // being handed to a pool thread each: every call here blocks its caller anyway,
                // and no body handler used blocks (an event stream's is read by its caller).
                // Two thread hand-offs fewer per call: 0.6-0.9 ms off the bench's single claim
                // on this machine, and 15-20% more drain throughput (docs/PERFORMANCE.md).
                .executor(Runnable::run)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpEngine engine = b.http == Http.NETTY ? new NettyHttpEngine(b.connectTimeout)
                : new JdkHttpEngine(http);
        this.transport = new Transport(b.servers, engine, http, b.requestTimeout, b.token);
        this.retryDeadline = b.retryDeadline;
        this.requestTimeout = b.requestTimeout;
        this.keepAlives = new KeepAlives(this, b.sessionTtl);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A fresh Idempotency-Key, as the client makes one for every write. */
    public static String newIdempotencyKey() {
        return UUID.randomUUID().toString();
    }

    /** The base URLs of the nodes, in the order they are tried. */
    public List<String> servers() {
        return transport.servers();
    }

    // ----- tasks -----

    /** Creates a task (201); if its {@code key} is taken, returns that task instead. */
    public Task createTask(String queue, NewTask task) {
        return createTask(queue, task, newIdempotencyKey());
    }

    public Task createTask(String queue, NewTask task, String idempotencyKey) {
        return write("POST", tasksPath(queue), task.toJson(), idempotencyKey, Task.class);
    }

    /** @throws NotFoundException when there is no such task */
    public Task task(String queue, long id) {
        return get(taskPath(queue, id), Task.class);
    }

    /** The first page of the queue's tasks, in id order. */
    public TaskPage tasks(String queue) {
        return tasks(queue, TaskQuery.all());
    }

    public TaskPage tasks(String queue, TaskQuery query) {
        return get(tasksPath(queue) + query.toQueryString(), TaskPage.class);
    }

    /** Every task matching the query, following the pages from the query's afterId. */
    public List<Task> allTasks(String queue, TaskQuery query) {
        List<Task> all = new ArrayList<>();
        TaskPage page = tasks(queue, query);
        all.addAll(page.tasks());
        while (page.nextAfterId() != null && !page.tasks().isEmpty()) {
            page = tasks(queue, query.afterId(page.nextAfterId()));
            all.addAll(page.tasks());
        }
        return all;
    }

    public Task updateTask(String queue, long id, TaskUpdate update) {
        return updateTask(queue, id, update, newIdempotencyKey());
    }

    public Task updateTask(String queue, long id, TaskUpdate update, String idempotencyKey) {
        return write("PATCH", taskPath(queue, id), update.toJson(), idempotencyKey, Task.class);
    }

    /** Deletes a task: it ends any claim on it and leaves every blockedBy list. */
    public Task deleteTask(String queue, long id) {
        return deleteTask(queue, id, newIdempotencyKey());
    }

    public Task deleteTask(String queue, long id, String idempotencyKey) {
        return write("DELETE", taskPath(queue, id), null, idempotencyKey, Task.class);
    }

    /** The task's history, oldest first. */
    public List<TaskEvent> history(String queue, long id) {
        List<TaskEvent> events = new ArrayList<>();
        for (TaskEvent e : get(taskPath(queue, id) + "/history", Events.class).items()) {
            events.add(e.of(queue, id));
        }
        return List.copyOf(events);
    }

    public List<QueueInfo> queues() {
        return get("/v1/queues", Queues.class).items();
    }

    // ----- claims: handles -----

    /**
     * Claims a task by id and keeps the claim alive until the handle ends or closes.
     *
     * @throws ConflictException {@code already_claimed}, {@code blocked}, {@code not_ready},
     *         {@code not_claimable} or {@code resource_conflict}
     */
    public ClaimHandle claim(String queue, long id, String agent) {
        return claim(queue, id, agent, newIdempotencyKey());
    }

    public ClaimHandle claim(String queue, long id, String agent, String idempotencyKey) {
        ClaimResult r = claimTask(queue, id, agent, idempotencyKey);
        return new ClaimHandle(this, agent, r.task(), r.token()).keepAlive(keepAlives);
    }

    /**
     * Claims the best ready tasks for the request's agent (possibly none, when its wait ran
     * out) and keeps each claim alive until its handle ends or closes.
     */
    public List<ClaimHandle> claimNext(String queue, ClaimNext request) {
        return claimNext(queue, request, newIdempotencyKey());
    }

    public List<ClaimHandle> claimNext(String queue, ClaimNext request, String idempotencyKey) {
        List<ClaimHandle> handles = new ArrayList<>();
        for (Claim c : claimNextTasks(queue, request, idempotencyKey)) {
            handles.add(new ClaimHandle(this, request.agent(), c.task(), c.token())
                    .keepAlive(keepAlives));
        }
        return List.copyOf(handles);
    }

    // ----- claims: plain calls -----

    /** Claims a task by id, without keeping it alive: the agent must pulse on its own. */
    public ClaimResult claimTask(String queue, long id, String agent) {
        return claimTask(queue, id, agent, newIdempotencyKey());
    }

    public ClaimResult claimTask(String queue, long id, String agent, String idempotencyKey) {
        ObjectNode body = Wire.object().put("agent", agent);
        return write("POST", taskPath(queue, id) + "/claim", body, idempotencyKey,
                ClaimResult.class);
    }

    /** Claim-next without keeping the claims alive: the agent must pulse on its own. */
    public List<Claim> claimNextTasks(String queue, ClaimNext request) {
        return claimNextTasks(queue, request, newIdempotencyKey());
    }

    public List<Claim> claimNextTasks(String queue, ClaimNext request, String idempotencyKey) {
        return send(new Transport.Call("POST", "/v1/queues/" + segment(queue)
                + "/claim", request.toJson(), checkKey(idempotencyKey), request.waitDuration(),
                retryDeadline), Claims.class).items();
    }

    /** Reports progress on a claimed task (note and percent may be null). */
    public Task progress(String queue, long id, long token, String note, Integer percent) {
        return progress(queue, id, token, note, percent, newIdempotencyKey());
    }

    public Task progress(String queue, long id, long token, String note, Integer percent,
                         String idempotencyKey) {
        ObjectNode body = Wire.object().put("token", token);
        putIfPresent(body, "note", note);
        if (percent != null) {
            body.put("percent", percent);
        }
        return act(queue, id, "progress", body, idempotencyKey);
    }

    /** @throws ConflictException {@code stale_token} when the token is not the current claim */
    public Task complete(String queue, long id, long token, String result) {
        return complete(queue, id, token, result, newIdempotencyKey());
    }

    public Task complete(String queue, long id, long token, String result,
                         String idempotencyKey) {
        ObjectNode body = Wire.object().put("token", token);
        putIfPresent(body, "result", result);
        return act(queue, id, "complete", body, idempotencyKey);
    }

    /**
     * Fails the current attempt: the task is pending again (after retryDelay, if given) while
     * {@code retry} and attempts remain, else {@code failed}.
     */
    public Task fail(String queue, long id, long token, String reason, boolean retry,
                     Duration retryDelay) {
        return fail(queue, id, token, reason, retry, retryDelay, newIdempotencyKey());
    }

    public Task fail(String queue, long id, long token, String reason, boolean retry,
                     Duration retryDelay, String idempotencyKey) {
        ObjectNode body = Wire.object().put("token", token);
        putIfPresent(body, "reason", reason);
        body.put("retry", retry);
        if (retryDelay != null) {
            body.put("retryDelayMs", retryDelay.toMillis());
        }
        return act(queue, id, "fail", body, idempotencyKey);
    }

    /** Gives a claimed task back; not an attempt. */
    public Task release(String queue, long id, long token) {
        return release(queue, id, token, newIdempotencyKey());
    }

    public Task release(String queue, long id, long token, String idempotencyKey) {
        return act(queue, id, "release", Wire.object().put("token", token), idempotencyKey);
    }

    /**
     * Hands a claimed task to another agent, which must have a live session; the answer carries
     * its new token.
     *
     * @throws ConflictException {@code agent_not_live}
     */
    public Claim handOff(String queue, long id, long token, String to, String note) {
        return handOff(queue, id, token, to, note, newIdempotencyKey());
    }

    public Claim handOff(String queue, long id, long token, String to, String note,
                         String idempotencyKey) {
        ObjectNode body = Wire.object().put("token", token).put("to", to);
        putIfPresent(body, "note", note);
        return write("POST", taskPath(queue, id) + "/handoff", body, idempotencyKey, Claim.class);
    }

    // ----- agents -----

    /** Renews (or starts) the agent's session; a null ttl means the server's default. */
    public PulseResult pulse(String agent, Duration ttl) {
        return pulse(agent, ttl, newIdempotencyKey());
    }

    public PulseResult pulse(String agent, Duration ttl, String idempotencyKey) {
        return pulse(agent, ttl, idempotencyKey, retryDeadline);
    }

    /** A pulse that gives up after {@code deadline}: the keep-alive's, which pulses again. */
    PulseResult pulseWithin(String agent, Duration ttl, Duration deadline) {
        return pulse(agent, ttl, newIdempotencyKey(), deadline);
    }

    private PulseResult pulse(String agent, Duration ttl, String key, Duration deadline) {
        ObjectNode body = Wire.object();
        if (ttl != null) {
            body.put("ttlMs", ttl.toMillis());
        }
        return send(new Transport.Call("POST", agentPath(agent) + "/pulse", body,
                checkKey(key), Duration.ZERO, deadline), PulseResult.class);
    }

    /** Every live session. */
    public List<AgentSession> agents() {
        return get("/v1/agents", Agents.class).items();
    }

    /**
     * Ends the agent's session now; its claims are released (reason {@code agent_left}).
     *
     * @throws NotFoundException when it has no live session
     */
    public AgentSession leave(String agent) {
        return leave(agent, newIdempotencyKey());
    }

    public AgentSession leave(String agent, String idempotencyKey) {
        return write("DELETE", agentPath(agent), null, idempotencyKey, AgentSession.class);
    }

    // ----- events -----

    /**
     * Follows task events as they happen.
     *
     * @param queue only this queue's events, or null for every queue
     * @param fromIndex the first log index wanted (1 for the whole history the cluster keeps),
     *                  or null for what happens from now on
     */
    public EventStream events(String queue, Long fromIndex) {
        long after;
        if (fromIndex != null) {
            after = Math.max(0, fromIndex - 1);
        } else {
            // "From now" as an index, so that resuming after a break before the first event
            // still starts at the right place.
            after = get("/v1/cluster/self", JsonNode.class).path("appliedIndex").asLong();
        }
        return new EventStream(transport, retryDeadline, keepAlives, queue, after);
    }

    // ----- cluster and operations -----

    public ClusterInfo cluster() {
        return get("/v1/cluster", ClusterInfo.class);
    }

    /** Adds a member; the answer is the new configuration. */
    public ClusterInfo addMember(String id, String raftAddress, String httpAddress) {
        ObjectNode body = Wire.object().put("id", id).put("raftAddress", raftAddress)
                .put("httpAddress", httpAddress);
        return write("POST", "/v1/cluster/members", body, newIdempotencyKey(), ClusterInfo.class);
    }

    /** Removes a member; the answer is the new configuration. */
    public ClusterInfo removeMember(String id) {
        return write("DELETE", "/v1/cluster/members/" + segment(id), null,
                newIdempotencyKey(), ClusterInfo.class);
    }

    /** Moves leadership to this member; the answer is the cluster as it is then. */
    public ClusterInfo transferLeadership(String id) {
        return write("POST", "/v1/cluster/leader", Wire.object().put("id", id),
                newIdempotencyKey(), ClusterInfo.class);
    }

    /** Takes a snapshot; returns its log index. */
    public long snapshot() {
        return write("POST", "/v1/cluster/snapshot", null, newIdempotencyKey(), JsonNode.class)
                .path("index").asLong();
    }

    /** Whether this one node's process serves ({@code /health/live}); no failover. */
    public boolean isLive(String server) {
        return health(server, "/health/live");
    }

    /** Whether this one node knows a leader and has applied what is committed; no failover. */
    public boolean isReady(String server) {
        return health(server, "/health/ready");
    }

    /**
     * This one node's metrics, in the Prometheus text format; no failover.
     *
     * @throws UnavailableException when it cannot be reached
     */
    public String metrics(String server) {
        try {
            HttpEngine.Response r = transport.sendTo(Builder.baseUrl(server), "/metrics",
                    requestTimeout);
            if (r.status() != 200) {
                throw refused(r.status(), r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UnavailableException("GET /metrics: " + server + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("GET /metrics: interrupted", e);
        }
    }

    // ----- any call -----

    /**
     * Any call of the API, for what this client does not wrap and for printing the server's
     * answer as it is. POST, PATCH and DELETE get a fresh Idempotency-Key.
     *
     * @param pathAndQuery such as {@code /v1/queues/default/tasks?ready=true}
     * @param body the JSON body, or null
     * @return the body of the 2xx answer
     */
    public JsonNode send(String method, String pathAndQuery, JsonNode body) {
        return send(method, pathAndQuery, body, method.equals("GET") || method.equals("HEAD")
                ? null : newIdempotencyKey());
    }

    /** As {@link #send(String, String, JsonNode)}, with this key (null for a read). */
    public JsonNode send(String method, String pathAndQuery, JsonNode body,
                         String idempotencyKey) {
        return send(method, pathAndQuery, body, idempotencyKey, Duration.ZERO);
    }

    /**
     * As {@link #send(String, String, JsonNode, String)}, for a call the server may hold on
     * purpose (a claim-next with {@code waitMs}): each attempt, and the call's deadline, get
     * {@code holdFor} on top, as {@link #claimNextTasks} gives its wait.
     */
    public JsonNode send(String method, String pathAndQuery, JsonNode body,
                         String idempotencyKey, Duration holdFor) {
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("the path starts with /: " + pathAndQuery);
        }
        if (holdFor == null || holdFor.isNegative()) {
            throw new IllegalArgumentException("holdFor must be zero or positive");
        }
        return send(new Transport.Call(method, pathAndQuery, body,
                idempotencyKey == null ? null : checkKey(idempotencyKey), holdFor,
                retryDeadline), JsonNode.class);
    }

    /**
     * Reads an answer obtained through {@link #send} as one of this package's records
     * ({@link Task}, {@link ClaimResult}, {@link Claim}, {@link TaskPage}, {@link TaskEvent},
     * {@link PulseResult}, {@link AgentSession}, {@link QueueInfo}, {@link ClusterInfo}), as
     * leniently as the typed calls read theirs: for a caller that needs both the server's JSON
     * as it is and the typed value (the {@code baton} command line's {@code --json}).
     *
     * @throws BatonException when the JSON does not fit the type
     */
    public static <T> T decode(JsonNode answer, Class<T> type) {
        return Wire.read(Objects.requireNonNull(answer, "answer"), type);
    }

    /**
     * One path segment of a call, percent-encoded as this client encodes queue and agent names
     * (an agent's {@code /} becomes {@code %2F}; its {@code :} and {@code @} stay), for building
     * the paths given to {@link #send}.
     */
    public static String pathSegment(String value) {
        return segment(value);
    }

    /**
     * Stops keeping claims alive (open handles and workers lose their pulses; their claims
     * lapse with their sessions). Calls made after this throw IllegalStateException.
     */
    @Override
    public void close() {
        closed = true;
        keepAlives.close();
        transport.close();
    }

    KeepAlives keepAlives() {
        return keepAlives;
    }

    Duration retryDeadline() {
        return retryDeadline;
    }

    // ----- plumbing -----

    private Task act(String queue, long id, String action, ObjectNode body, String key) {
        return write("POST", taskPath(queue, id) + "/" + action, body, key, Task.class);
    }

    private <T> T get(String path, Class<T> type) {
        return send(new Transport.Call("GET", path, null, null, Duration.ZERO, retryDeadline),
                type);
    }

    private <T> T write(String method, String path, JsonNode body, String key, Class<T> type) {
        return send(new Transport.Call(method, path, body, checkKey(key), Duration.ZERO,
                retryDeadline), type);
    }

    /** Sends the call and reads a 2xx answer as {@code type} (JsonNode for the tree). */
    private <T> T send(Transport.Call call, Class<T> type) {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        Transport.Answer answer = transport.send(call);
        if (answer.status() / 100 == 2) {
            return Wire.read(answer.body(), type);
        }
        throw refused(answer.status(), answer.body());
    }

    /** The exception for a final non-2xx answer, from the contract's error body. */
    static RefusedException refused(int status, String body) {
        JsonNode error;
        try {
            error = Wire.parse(body).path("error");
        } catch (BatonException e) {
            error = Wire.object();
        }
        String code = error.path("code").asText("http_" + status);
        String message = error.path("message").asText(Wire.abbreviate(String.valueOf(body)));
        if (status == 404) {
            return new NotFoundException(code, message, error);
        }
        if (status == 409) {
            return new ConflictException(code, message, error);
        }
        return new RefusedException(status, code, message, error);
    }

    private boolean health(String server, String path) {
        try {
            return transport.sendTo(Builder.baseUrl(server), path, requestTimeout)
                    .status() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // The envelopes of the answers that are lists, read in one pass with the items.

    private record Claims(List<Claim> claims) {
        List<Claim> items() {
            return claims == null ? List.of() : List.copyOf(claims);
        }
    }

    private record Events(List<TaskEvent> events) {
        List<TaskEvent> items() {
            return events == null ? List.of() : events;
        }
    }

    private record Queues(List<QueueInfo> queues) {
        List<QueueInfo> items() {
            return queues == null ? List.of() : List.copyOf(queues);
        }
    }

    private record Agents(List<AgentSession> agents) {
        List<AgentSession> items() {
            return agents == null ? List.of() : List.copyOf(agents);
        }
    }

    private static void putIfPresent(ObjectNode body, String field, String value) {
        if (value != null) {
            body.put(field, value);
        }
    }

    private static String checkKey(String key) {
        Objects.requireNonNull(key, "idempotencyKey");
        if (key.isEmpty() || key.length() > IDEMPOTENCY_KEY_CHARS_MAX) {
            throw new IllegalArgumentException("an Idempotency-Key has 1 to "
                    + IDEMPOTENCY_KEY_CHARS_MAX + " characters");
        }
        return key;
    }

    private static String tasksPath(String queue) {
        return "/v1/queues/" + segment(queue) + "/tasks";
    }

    private static String taskPath(String queue, long id) {
        return tasksPath(queue) + "/" + id;
    }

    private static String agentPath(String agent) {
        return "/v1/agents/" + segment(agent);
    }

    /**
     * Percent-encodes one path segment: everything but the unreserved characters and the
     * {@code :} and {@code @} that agent names use, so a {@code /} in an agent name stays in
     * its segment as {@code %2F}.
     */
    static String segment(String value) {
        Objects.requireNonNull(value);
        StringBuilder b = new StringBuilder();
        for (byte c : value.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '@') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c & 0xff));
            }
        }
        return b.toString();
    }

    /**
     * The HTTP library that carries a client's calls (event streams always use the JDK's).
     */
    public enum Http {
        /** The JDK's {@code java.net.http.HttpClient}: no dependency. */
        JDK,
        /**
         * Netty's HTTP client: about half the CPU per call (docs/PERFORMANCE.md), for processes
         * that make many calls, such as {@code baton bench}. Plain {@code http://} only; needs
         * {@code io.netty:netty-codec-http} on the class path (an optional dependency of this
         * library).
         */
        NETTY
    }

    /** The settings of a client; only {@link Builder#servers(String)} is required. */
    public static final class Builder {
        private List<String> servers = List.of();
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration retryDeadline = Duration.ofSeconds(15);
        private Duration sessionTtl = Duration.ofSeconds(30);
        private String token;
        private Http http = Http.JDK;

        private Builder() {
        }

        /** Comma-separated {@code HOST:PORT} (or {@code http://HOST:PORT}) of the nodes. */
        public Builder servers(String servers) {
            return servers(Arrays.stream(servers.split(",")).map(String::trim)
                    .filter(s -> !s.isEmpty()).toList());
        }

        public Builder servers(List<String> servers) {
            this.servers = servers.stream().map(Builder::baseUrl).toList();
            return this;
        }

        /** How long one attempt at one node may take (a long poll gets its wait on top). */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = positive(requestTimeout, "requestTimeout");
            return this;
        }

        /** How long connecting to one node may take before the next is tried. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** How long one call keeps trying nodes before it throws; 15 s by default. */
        public Builder retryDeadline(Duration retryDeadline) {
            this.retryDeadline = positive(retryDeadline, "retryDeadline");
            return this;
        }

        /**
         * The session TTL that keep-alive pulses give agents holding {@link ClaimHandle}s (30 s
         * by default, 1 s to 1 h); they pulse every third of it.
         */
        public Builder sessionTtl(Duration sessionTtl) {
            this.sessionTtl = positive(sessionTtl, "sessionTtl");
            return this;
        }

        /** A bearer token, sent as {@code Authorization: Bearer} when the cluster wants one. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Which HTTP library carries the calls; {@link Http#JDK} by default. */
        public Builder http(Http http) {
            this.http = java.util.Objects.requireNonNull(http, "http");
            return this;
        }

        public BatonClient build() {
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("no servers given");
            }
            if (http == Http.NETTY) {
                servers.stream().filter(s -> !NettyHttpEngine.speaks(s)).findFirst()
                        .ifPresent(s -> {
                            throw new IllegalArgumentException(NettyHttpEngine.refusal(s));
                        });
            }
            return new BatonClient(this);
        }

        static String baseUrl(String server) {
            String s = server.trim();
            if (!s.startsWith("http://") && !s.startsWith("https://")) {
                s = "http://" + s;
            }
            while (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            return s;
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
