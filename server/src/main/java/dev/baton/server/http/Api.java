package dev.baton.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.core.Command;
import dev.baton.core.Limits;
import dev.baton.core.Outcome;
import dev.baton.core.TaskReader;
import dev.baton.core.Validation;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskStatus;
import dev.baton.server.raft.RaftNode;
import dev.baton.server.raft.TaskStateMachine;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The routes of the task API. Every write is validated here, before it is proposed, so a bad
 * request never reaches the log; the machine validates again when it applies. Reads wait for a
 * read-index barrier unless {@code ?consistency=stale} asks for the local state as it is.
 */
final class Api {
    private static final Set<String> CREATE_FIELDS = Set.of("subject", "description",
            "activeForm", "priority", "blockedBy", "resources", "requires", "labels", "key",
            "maxAttempts", "stallMs", "notBefore", "delayMs");
    private static final Set<String> UPDATE_FIELDS = Set.of("subject", "description",
            "activeForm", "priority", "labels", "resources", "maxAttempts", "notBefore",
            "addBlockedBy", "removeBlockedBy");
    private static final Set<String> LIST_PARAMS = Set.of("status", "owner", "ready", "label",
            "afterId", "limit", "consistency");
    private static final Set<String> READ_PARAMS = Set.of("consistency");

    private final RaftNode node;
    private final ClusterView cluster;
    private final ClaimApi claims;
    private final EventStreams events;

    Api(RaftNode node, ClusterView cluster, ClaimWaiters waiters, EventStreams events,
        long defaultTtlMs) {
        this.node = node;
        this.cluster = cluster;
        this.claims = new ClaimApi(this, waiters, defaultTtlMs);
        this.events = events;
    }

    /** The leader's HTTP address when another node leads, for the Baton-Leader header. */
    String leaderElsewhere() {
        return cluster.leaderElsewhere();
    }

    CompletableFuture<HttpResult> handle(Request r) {
        List<String> s = r.segments();
        String m = r.method();
        if (s.size() == 2 && s.get(0).equals("health")) {
            requireMethod(m, "GET");
            if (s.get(1).equals("ready")) {
                return cluster.ready();
            }
            return CompletableFuture.completedFuture(s.get(1).equals("live") ? live()
                    : missing(r));
        }
        if (s.isEmpty() || !s.get(0).equals("v1")) {
            throw notFound(r);
        }
        if (s.size() >= 2 && s.get(1).equals("cluster")) {
            return cluster.handle(r, s.subList(2, s.size()));
        }
        if (s.size() == 2 && s.get(1).equals("events")) {
            requireMethod(m, "GET");
            return CompletableFuture.completedFuture(events(r));
        }
        if (s.size() >= 2 && s.get(1).equals("agents")) {
            return claims.agents(r, s.subList(2, s.size()));
        }
        if (s.size() == 4 && s.get(1).equals("queues") && s.get(3).equals("claim")) {
            reject(Validation.queueName(s.get(2)));
            return claims.claimNext(r, s.get(2));
        }
        if (s.size() == 2 && s.get(1).equals("queues")) {
            requireMethod(m, "GET");
            r.allowQuery(READ_PARAMS);
            return read(r, reader -> {
                ArrayNode queues = Json.MAPPER.createArrayNode();
                reader.queues().forEach(q -> queues.add(Json.queue(q)));
                ObjectNode body = Json.object();
                body.set("queues", queues);
                return ok(body);
            });
        }
        if (s.size() >= 4 && s.get(1).equals("queues") && s.get(3).equals("tasks")) {
            String queue = s.get(2);
            reject(Validation.queueName(queue));
            if (s.size() == 4) {
                if (m.equals("POST")) {
                    return create(r, queue);
                }
                requireMethod(m, "GET", "POST");
                return list(r, queue);
            }
            long id = taskId(s.get(4));
            if (s.size() == 5) {
                switch (m) {
                    case "GET":
                        r.allowQuery(READ_PARAMS);
                        return read(r, reader -> {
                            Task t = reader.task(queue, id);
                            if (t == null) {
                                throw ApiException.notFound("task " + queue + "#" + id
                                        + " does not exist");
                            }
                            return ok(Json.task(t, reader.nowMs()));
                        });
                    case "PATCH":
                        return write(r, update(r, queue, id));
                    case "DELETE":
                        JsonBody.parse(r.body(), Set.of());
                        return write(r, new Command.DeleteTask(queue, id));
                    default:
                        throw methodNotAllowed("GET, PATCH, DELETE");
                }
            }
            if (s.size() == 6 && s.get(5).equals("history")) {
                requireMethod(m, "GET");
                r.allowQuery(READ_PARAMS);
                return read(r, reader -> history(reader, queue, id));
            }
            if (s.size() == 6) {
                CompletableFuture<HttpResult> action = claims.taskAction(r, queue, id, s.get(5));
                if (action != null) {
                    return action;
                }
            }
        }
        throw notFound(r);
    }

    // ----- tasks -----

    private CompletableFuture<HttpResult> create(Request r, String queue) {
        JsonBody b = JsonBody.parse(r.body(), CREATE_FIELDS);
        Integer priority = b.integer("priority");
        List<String> resources = b.strings("resources");
        List<String> requires = b.strings("requires");
        Map<String, String> labels = b.labels("labels");
        Command.CreateTask c = new Command.CreateTask(queue, b.requiredString("subject"),
                b.string("description"), b.string("activeForm"),
                priority == null ? 0 : priority, b.ids("blockedBy"),
                resources == null ? List.of() : resources,
                requires == null ? List.of() : requires,
                new TreeMap<>(labels == null ? Map.of() : labels), b.string("key"),
                b.integer("maxAttempts"), b.longValue("stallMs"), b.timestamp("notBefore"),
                b.longValue("delayMs"));
        return write(r, c);
    }

    private Command.UpdateTask update(Request r, String queue, long id) {
        JsonBody b = JsonBody.parse(r.body(), UPDATE_FIELDS);
        return new Command.UpdateTask(queue, id, b.string("subject"), b.string("description"),
                b.string("activeForm"), b.integer("priority"), b.labels("labels"),
                b.strings("resources"), b.integer("maxAttempts"), b.timestamp("notBefore"),
                b.isExplicitNull("notBefore"), b.ids("addBlockedBy"), b.ids("removeBlockedBy"));
    }

    private CompletableFuture<HttpResult> list(Request r, String queue) {
        r.allowQuery(LIST_PARAMS);
        Set<TaskStatus> statuses = new LinkedHashSet<>();
        String statusParam = r.param("status");
        if (statusParam != null) {
            for (String name : statusParam.split(",")) {
                TaskStatus status = TaskStatus.fromWire(name.trim());
                if (status == null) {
                    throw ApiException.invalid("status \"" + name + "\" is not one of pending, "
                            + "in_progress, completed, failed, deleted");
                }
                statuses.add(status);
            }
        }
        String ready = r.param("ready");
        if (ready != null && !ready.equals("true") && !ready.equals("false")) {
            throw ApiException.invalid("ready must be true or false");
        }
        Map<String, String> labels = new TreeMap<>();
        for (String label : r.params("label")) {
            int colon = label.indexOf(':');
            if (colon <= 0) {
                throw ApiException.invalid("label filters are key:value, got \"" + label + "\"");
            }
            labels.put(label.substring(0, colon), label.substring(colon + 1));
        }
        long afterId = longParam(r, "afterId", 0, 0, Long.MAX_VALUE - 1);
        int limit = (int) longParam(r, "limit", Limits.LIST_LIMIT_DEFAULT, 1,
                Limits.LIST_LIMIT_MAX);
        TaskReader.Filter filter = new TaskReader.Filter(statuses, r.param("owner"),
                "true".equals(ready), labels);
        return read(r, reader -> {
            TaskReader.Page page = reader.list(queue, filter, afterId, limit);
            long now = reader.nowMs();
            ObjectNode body = Json.object();
            ArrayNode tasks = body.putArray("tasks");
            page.tasks().forEach(t -> tasks.add(Json.task(t, now)));
            body.put("nextAfterId", page.nextAfterId());
            return ok(body);
        });
    }

    /**
     * {@code GET /v1/events}: resumes after {@code Last-Event-ID}, else starts at
     * {@code fromIndex}, else with the next entry this node applies.
     */
    private HttpResult events(Request r) {
        r.allowQuery(Set.of("queue", "fromIndex"));
        String queue = r.param("queue");
        if (queue != null) {
            reject(Validation.queueName(queue));
        }
        long after;
        if (r.lastEventId() != null && !r.lastEventId().isBlank()) {
            try {
                after = Long.parseLong(r.lastEventId().trim());
            } catch (NumberFormatException e) {
                throw ApiException.invalid("Last-Event-ID must be a log index, got \""
                        + r.lastEventId() + "\"");
            }
        } else if (r.param("fromIndex") != null) {
            after = longParam(r, "fromIndex", 0, 0, Long.MAX_VALUE - 1) - 1;
        } else {
            after = node.stateMachine().getLastAppliedTermIndex().getIndex();
        }
        long start = Math.max(after, 0);
        if (node.stateMachine().read(reader -> reader.eventsAfter(start, queue, 0)) == null) {
            throw new ApiException(410, "gone", "events after index " + start
                    + " are no longer kept; list the tasks, then follow the stream from now",
                    Map.of());
        }
        return HttpResult.streaming(ctx -> events.open(ctx, queue, start));
    }

    private static HttpResult history(TaskReader reader, String queue, long id) {
        List<TaskEvent> events = reader.history(queue, id);
        if (events == null) {
            throw ApiException.notFound("task " + queue + "#" + id + " does not exist");
        }
        ObjectNode body = Json.object();
        ArrayNode array = body.putArray("events");
        events.forEach(e -> array.add(Json.event(e)));
        return ok(body);
    }

    // ----- plumbing -----

    /** Validates a write before anything is proposed, then proposes it. */
    CompletableFuture<HttpResult> write(Request r, Command command) {
        check(r, command);
        return node.submit(r.idempotencyKey(), command).thenApply(Api::result);
    }

    static void check(Request r, Command command) {
        reject(Validation.idempotencyKey(r.idempotencyKey()));
        reject(Validation.command(command));
    }

    static HttpResult result(Outcome outcome) {
        if (outcome instanceof Outcome.TaskCreated o) {
            return new HttpResult(201, Json.bytes(Json.task(o.task(), o.task().updatedAtMs())));
        }
        if (outcome instanceof Outcome.TaskFound o) {
            return ok(Json.task(o.task(), o.task().updatedAtMs()));
        }
        if (outcome instanceof Outcome.TaskUpdated o) {
            return ok(Json.task(o.task(), o.task().updatedAtMs()));
        }
        if (outcome instanceof Outcome.TaskDeleted o) {
            return ok(Json.task(o.task(), o.task().updatedAtMs()));
        }
        if (outcome instanceof Outcome.Rejected o) {
            return new HttpResult(Statuses.of(o.code()),
                    Json.bytes(Json.error(o.code().wireName(), o.message(), o.details())));
        }
        if (outcome instanceof Outcome.Claimed o) {
            ObjectNode body = Json.claimed(o);
            body.put("reclaimed", o.reclaimed());
            return ok(body);
        }
        if (outcome instanceof Outcome.ClaimedMany o) {
            ObjectNode body = Json.object();
            ArrayNode claims = body.putArray("claims");
            o.claims().forEach(c -> claims.add(Json.claimed(c)));
            return ok(body);
        }
        if (outcome instanceof Outcome.Pulsed o) {
            ObjectNode body = Json.session(o.session());
            body.put("revived", o.revived());
            body.set("claims", body.remove("claims"));
            return ok(body);
        }
        if (outcome instanceof Outcome.AgentLeft o) {
            ObjectNode body = Json.session(o.session());
            body.put("left", true);
            return ok(body);
        }
        throw new IllegalStateException("no HTTP answer for " + outcome);
    }

    <T> CompletableFuture<HttpResult> read(Request r,
                                                   Function<TaskReader, HttpResult> query) {
        TaskStateMachine sm = node.stateMachine();
        if (r.stale()) {
            return CompletableFuture.completedFuture(sm.read(query));
        }
        return node.readBarrier().thenApply(v -> sm.read(query));
    }

    static void reject(Outcome.Rejected rejected) {
        if (rejected != null) {
            throw new ApiException(Statuses.of(rejected.code()), rejected.code().wireName(),
                    rejected.message(), rejected.details());
        }
    }

    private static long taskId(String segment) {
        try {
            long id = Long.parseLong(segment);
            if (id >= 1) {
                return id;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw ApiException.invalid("task ids are positive integers, got \"" + segment + "\"");
    }

    private static long longParam(Request r, String name, long otherwise, long min, long max) {
        String value = r.param(name);
        if (value == null) {
            return otherwise;
        }
        try {
            long v = Long.parseLong(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw ApiException.invalid(name + " must be an integer from " + min + " to " + max
                + ", got \"" + value + "\"");
    }

    static HttpResult ok(Object body) {
        return new HttpResult(200, Json.bytes(body));
    }

    private static HttpResult live() {
        ObjectNode body = Json.object();
        body.put("status", "live");
        return ok(body);
    }

    private static HttpResult missing(Request r) {
        throw notFound(r);
    }

    static void requireMethod(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw methodNotAllowed(String.join(", ", allowed));
    }

    static ApiException methodNotAllowed(String allowed) {
        return new ApiException(405, "method_not_allowed", "this path takes " + allowed,
                Map.of("allow", allowed));
    }

    private static ApiException notFound(Request r) {
        return ApiException.notFound("no such endpoint: /" + String.join("/", r.segments()));
    }
}
