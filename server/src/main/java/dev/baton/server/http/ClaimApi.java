package dev.baton.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.core.Command;
import dev.baton.core.Limits;
import dev.baton.core.Validation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The routes of the Claims and the Agents and liveness sections of the contract. They only
 * translate: whether a claim is granted is decided in the core ({@code ClaimRules}) when the
 * entry is applied.
 */
final class ClaimApi {
    private static final Set<String> CLAIM = Set.of("agent");
    private static final Set<String> CLAIM_NEXT = Set.of("agent", "count", "waitMs",
            "capabilities", "labels");
    private static final Set<String> PROGRESS = Set.of("token", "note", "percent");
    private static final Set<String> COMPLETE = Set.of("token", "result");
    private static final Set<String> FAIL = Set.of("token", "reason", "retry", "retryDelayMs");
    private static final Set<String> RELEASE = Set.of("token");
    private static final Set<String> HANDOFF = Set.of("token", "to", "note");
    private static final Set<String> PULSE = Set.of("ttlMs");

    private final Api api;
    private final ClaimWaiters waiters;
    private final long defaultTtlMs;

    ClaimApi(Api api, ClaimWaiters waiters, long defaultTtlMs) {
        this.api = api;
        this.waiters = waiters;
        this.defaultTtlMs = defaultTtlMs;
    }

    private static final Set<String> ACTIONS =
            Set.of("claim", "progress", "complete", "fail", "release", "handoff");

    /** {@code POST /v1/queues/{q}/tasks/{id}/{action}}, or null when action is no such thing. */
    CompletableFuture<HttpResult> taskAction(Request r, String queue, long id, String action) {
        if (!ACTIONS.contains(action)) {
            return null;
        }
        // The method before the body: a GET of an action is 405 whatever it carries.
        Api.requireMethod(r.method(), "POST");
        Command command;
        switch (action) {
            case "claim": {
                JsonBody b = JsonBody.parse(r.body(), CLAIM);
                command = new Command.ClaimTask(queue, id, b.requiredString("agent"),
                        defaultTtlMs);
                break;
            }
            case "progress": {
                JsonBody b = JsonBody.parse(r.body(), PROGRESS);
                command = new Command.ReportProgress(queue, id, token(b), b.string("note"),
                        b.integer("percent"));
                break;
            }
            case "complete": {
                JsonBody b = JsonBody.parse(r.body(), COMPLETE);
                command = new Command.CompleteTask(queue, id, token(b), b.string("result"));
                break;
            }
            case "fail": {
                JsonBody b = JsonBody.parse(r.body(), FAIL);
                Boolean retry = b.bool("retry");
                command = new Command.FailTask(queue, id, token(b), b.string("reason"),
                        retry == null || retry, b.longValue("retryDelayMs"));
                break;
            }
            case "release": {
                JsonBody b = JsonBody.parse(r.body(), RELEASE);
                command = new Command.ReleaseTask(queue, id, token(b));
                break;
            }
            case "handoff": {
                JsonBody b = JsonBody.parse(r.body(), HANDOFF);
                command = new Command.HandOff(queue, id, token(b), b.requiredString("to"),
                        b.string("note"));
                break;
            }
            default:
                throw new IllegalStateException("no case for action " + action);
        }
        return api.write(r, command);
    }

    /** {@code POST /v1/queues/{q}/claim}: claim-next, waiting up to waitMs. */
    CompletableFuture<HttpResult> claimNext(Request r, String queue) {
        Api.requireMethod(r.method(), "POST");
        JsonBody b = JsonBody.parse(r.body(), CLAIM_NEXT);
        Integer count = b.integer("count");
        Long waitMs = b.longValue("waitMs");
        if (waitMs != null && (waitMs < 0 || waitMs > Limits.CLAIM_WAIT_MS_MAX)) {
            throw ApiException.invalid("waitMs must be 0 to " + Limits.CLAIM_WAIT_MS_MAX
                    + ", got " + waitMs);
        }
        List<String> capabilities = b.strings("capabilities");
        Map<String, String> labels = b.labels("labels");
        Command.ClaimNext command = new Command.ClaimNext(queue, b.requiredString("agent"),
                count == null ? 1 : count, capabilities == null ? List.of() : capabilities,
                new TreeMap<>(labels == null ? Map.of() : labels), defaultTtlMs);
        Api.check(r, command);
        long wait = waitMs == null ? 0 : waitMs;
        CompletableFuture<dev.baton.core.Outcome> outcome =
                waiters.claimNext(r.idempotencyKey(), command, wait);
        CompletableFuture<HttpResult> answer = outcome.thenApply(Api::result);
        // Cancelling the answer (the client hung up) must reach the waiting claim itself.
        answer.whenComplete((result, failure) -> {
            if (failure instanceof java.util.concurrent.CancellationException) {
                outcome.cancel(false);
            }
        });
        return answer;
    }

    /** {@code /v1/agents}, {@code /v1/agents/{agent}}, {@code /v1/agents/{agent}/pulse}. */
    CompletableFuture<HttpResult> agents(Request r, List<String> rest) {
        if (rest.isEmpty()) {
            Api.requireMethod(r.method(), "GET");
            r.allowQuery(Set.of("consistency"));
            return api.read(r, reader -> {
                ObjectNode body = Json.object();
                ArrayNode agents = body.putArray("agents");
                reader.sessions().forEach(s -> agents.add(Json.session(s)));
                return Api.ok(body);
            });
        }
        // Agent names may hold '/', sent raw or as %2F: the name is every segment between
        // "agents" and the action.
        boolean pulse = rest.size() > 1 && rest.get(rest.size() - 1).equals("pulse");
        String agent = String.join("/", pulse ? rest.subList(0, rest.size() - 1) : rest);
        Api.reject(Validation.agentName(agent));
        if (pulse) {
            Api.requireMethod(r.method(), "POST");
            JsonBody b = JsonBody.parse(r.body(), PULSE);
            Long ttlMs = b.longValue("ttlMs");
            return api.write(r, new Command.Pulse(agent, ttlMs == null ? defaultTtlMs : ttlMs));
        }
        Api.requireMethod(r.method(), "DELETE");
        JsonBody.parse(r.body(), Set.of());
        return api.write(r, new Command.LeaveAgent(agent));
    }

    private static long token(JsonBody b) {
        Long token = b.longValue("token");
        if (token == null) {
            throw ApiException.invalid("token is required");
        }
        return token;
    }
}
