package dev.baton.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.client.AgentSession;
import dev.baton.client.ClaimResult;
import dev.baton.client.Task;
import dev.baton.client.TaskStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code claim}, {@code complete}, {@code fail}, {@code release} and {@code handoff}. The owner
 * calls find the claim's token themselves when the resolved agent owns the task, so that an
 * agent says {@code baton complete 41} and nothing more; {@code --claim-token} gives it
 * explicitly.
 */
final class ClaimCommands {
    /** The API's longest claim-next wait. */
    static final Duration WAIT_MAX = Duration.ofMinutes(5);

    private ClaimCommands() {
    }

    static int claim(Context c) {
        Args a = c.args;
        boolean next = a.flag("--next");
        if (next == !a.positionals().isEmpty()) {
            throw new UsageException(next ? "claim takes an ID or --next, not both"
                    : "claim needs an ID, or --next for the best ready task");
        }
        if (!next && (a.has("--wait") || a.has("--count") || a.has("--label")
                || a.has("--capability"))) {
            throw new UsageException("--wait, --count, --label and --capability go with"
                    + " claim --next");
        }
        Duration ttl = a.duration("--ttl");
        if (ttl != null) {
            // The claim joins the agent's session: give the session the lease asked for.
            c.api().client().pulse(c.agent(), ttl);
        }
        return next ? claimNext(c, ttl) : claimById(c, ttl);
    }

    private static int claimById(Context c, Duration ttl) {
        long id = c.args.id(0);
        ObjectNode body = Api.object().put("agent", c.agent());
        JsonNode answer = c.api().post(Api.task(c.queue(), id) + "/claim", body);
        if (c.json()) {
            c.printJson(answer);
            return 0;
        }
        ClaimResult r = Api.decode(answer, ClaimResult.class);
        c.print(Format.claimed(r.task(), r.token(), lease(c, ttl), r.reclaimed()));
        return 0;
    }

    private static int claimNext(Context c, Duration ttl) {
        Args a = c.args;
        Duration wait = a.duration("--wait");
        if (wait != null && wait.compareTo(WAIT_MAX) > 0) {
            throw new UsageException("--wait is at most 5m, got " + a.value("--wait"));
        }
        ObjectNode body = Api.object().put("agent", c.agent());
        Integer count = a.positiveInt("--count");
        if (count != null) {
            body.put("count", count);
        }
        if (wait != null) {
            body.put("waitMs", wait.toMillis());
        }
        List<String> capabilities = a.list("--capability");
        if (!capabilities.isEmpty()) {
            ArrayNode caps = body.putArray("capabilities");
            capabilities.forEach(caps::add);
        }
        Map<String, String> labels = a.labels("--label");
        if (!labels.isEmpty()) {
            ObjectNode object = body.putObject("labels");
            labels.forEach(object::put);
        }
        JsonNode answer = c.api().post(Api.claimNext(c.queue()), body,
                wait == null ? Duration.ZERO : wait);
        JsonNode claims = answer.path("claims");
        if (c.json()) {
            c.printJson(answer);
        } else if (!claims.isEmpty()) {
            Duration lease = lease(c, ttl);
            for (JsonNode claim : claims) {
                Task t = Api.decode(claim.path("task"), Task.class);
                c.print(Format.claimed(t, claim.path("token").asLong(), lease, false));
            }
        }
        if (claims.isEmpty()) {
            throw new CommandFailed("nothing to claim in queue " + c.queue()
                    + (wait == null ? "" : " after waiting " + Durations.format(wait))
                    + ": no ready task" + (labels.isEmpty() && capabilities.isEmpty() ? ""
                    : " matches"));
        }
        return 0;
    }

    /** The lease the claim lives by: the agent's session TTL. */
    private static Duration lease(Context c, Duration ttl) {
        if (ttl != null) {
            return ttl;
        }
        for (AgentSession s : c.api().client().agents()) {
            if (s.agent().equals(c.agent())) {
                return Duration.ofMillis(s.ttlMs());
            }
        }
        return null;
    }

    static int complete(Context c) {
        long id = c.args.id(0);
        long token = token(c, id, "complete");
        ObjectNode body = Api.object().put("token", token);
        String result = c.args.value("--result");
        if ("-".equals(result)) {
            result = readStdin(c);
        }
        if (result != null) {
            body.put("result", result);
        }
        JsonNode answer = c.api().post(Api.task(c.queue(), id) + "/complete", body);
        c.print(answer, Format.completed(Api.decode(answer, Task.class)));
        return 0;
    }

    static int fail(Context c) {
        Args a = c.args;
        long id = a.id(0);
        String reason = a.value("--reason");
        if (reason == null) {
            throw new UsageException("fail needs --reason: say what went wrong");
        }
        Duration retryDelay = a.duration("--retry-delay");
        if (retryDelay != null && a.flag("--no-retry")) {
            throw new UsageException("--retry-delay goes with a retry; drop it or --no-retry");
        }
        long token = token(c, id, "fail");
        ObjectNode body = Api.object().put("token", token).put("reason", reason)
                .put("retry", !a.flag("--no-retry"));
        if (retryDelay != null) {
            body.put("retryDelayMs", retryDelay.toMillis());
        }
        JsonNode answer = c.api().post(Api.task(c.queue(), id) + "/fail", body);
        c.print(answer, Format.failed(Api.decode(answer, Task.class), retryDelay));
        return 0;
    }

    static int release(Context c) {
        long id = c.args.id(0);
        long token = token(c, id, "release");
        JsonNode answer = c.api().post(Api.task(c.queue(), id) + "/release",
                Api.object().put("token", token));
        c.print(answer, Format.released(Api.decode(answer, Task.class)));
        return 0;
    }

    static int handoff(Context c) {
        Args a = c.args;
        long id = a.id(0);
        String to = a.value("--to");
        if (to == null || to.isBlank()) {
            throw new UsageException("handoff needs --to AGENT: the live agent to take it");
        }
        long token = token(c, id, "hand off");
        ObjectNode body = Api.object().put("token", token).put("to", to);
        if (a.value("--note") != null) {
            body.put("note", a.value("--note"));
        }
        JsonNode answer = c.api().post(Api.task(c.queue(), id) + "/handoff", body);
        Task t = Api.decode(answer.path("task"), Task.class);
        c.print(answer, Format.handedOff(t, answer.path("token").asLong()));
        return 0;
    }

    /**
     * The claim's token: {@code --claim-token}, or the task's current token when the agent
     * owns it. Otherwise the call would surely be refused, so it is not sent.
     */
    static long token(Context c, long id, String verb) {
        Long given = c.args.longValue("--claim-token");
        if (given != null) {
            return given;
        }
        Task t = Api.decode(c.api().get(Api.task(c.queue(), id)), Task.class);
        if (t.status() != TaskStatus.IN_PROGRESS || t.token() == null) {
            throw new CommandFailed("task #" + id + " is not claimed (status "
                    + t.status().wireName() + "), so there is nothing to " + verb
                    + "; claim it first: baton claim " + id);
        }
        if (!c.agent().equals(t.owner())) {
            throw new CommandFailed("task #" + id + " is claimed by " + t.owner() + ", not by "
                    + c.agent() + "; run as its owner (--agent " + t.owner()
                    + ") or give --claim-token");
        }
        return t.token();
    }

    private static String readStdin(Context c) {
        try {
            return new String(c.env.stdin().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandFailed("cannot read the result from stdin: " + e.getMessage());
        }
    }
}
