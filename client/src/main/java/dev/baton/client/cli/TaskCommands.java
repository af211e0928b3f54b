package dev.baton.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.client.Task;
import dev.baton.client.TaskEvent;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code create}, {@code list}, {@code show}, {@code update} and {@code delete}. */
final class TaskCommands {
    /** What {@code list} shows without {@code --status} or {@code --all}. */
    static final List<String> OPEN_STATUSES = List.of("pending", "in_progress");
    static final Set<String> STATUSES = Set.of("pending", "in_progress", "completed", "failed",
            "deleted");
    /** The API's largest page: fewer round trips for a long listing. */
    private static final int PAGE_MAX = 1000;

    private TaskCommands() {
    }

    static int create(Context c) {
        Args a = c.args;
        ObjectNode body = Api.object();
        body.put("subject", a.positional(0));
        putText(body, "description", a.value("--description"));
        putText(body, "activeForm", a.value("--active-form"));
        Integer priority = a.intValue("--priority");
        if (priority != null) {
            body.put("priority", priority);
        }
        List<Long> blockers = a.ids("--blocked-by");
        if (!blockers.isEmpty()) {
            ArrayNode ids = body.putArray("blockedBy");
            blockers.forEach(ids::add);
        }
        if (a.has("--resource")) {
            ArrayNode globs = body.putArray("resources");
            a.values("--resource").forEach(globs::add);
        }
        if (a.has("--requires")) {
            ArrayNode caps = body.putArray("requires");
            a.list("--requires").forEach(caps::add);
        }
        putLabels(body, "labels", a.labels("--label"));
        putText(body, "key", a.value("--key"));
        Integer maxAttempts = a.positiveInt("--max-attempts");
        if (maxAttempts != null) {
            body.put("maxAttempts", maxAttempts);
        }
        Duration stall = a.duration("--stall");
        if (stall != null) {
            body.put("stallMs", stall.toMillis());
        }
        Duration delay = a.duration("--delay");
        if (delay != null) {
            body.put("delayMs", delay.toMillis());
        }
        JsonNode answer = c.api().post(Api.tasks(c.queue()), body);
        c.print(answer, Format.created(Api.decode(answer, Task.class)));
        return 0;
    }

    static int list(Context c) {
        Args a = c.args;
        if (a.flag("--all") && a.has("--status")) {
            throw new UsageException("--all shows every status; give --status or --all, not"
                    + " both");
        }
        List<String> params = new ArrayList<>();
        if (!a.flag("--all")) {
            List<String> statuses = a.has("--status") ? a.list("--status") : OPEN_STATUSES;
            for (String s : statuses) {
                if (!STATUSES.contains(s)) {
                    throw new UsageException("--status takes " + String.join(", ",
                            List.of("pending", "in_progress", "completed", "failed", "deleted"))
                            + "; got \"" + s + "\"");
                }
            }
            if (statuses.isEmpty()) {
                throw new UsageException("--status needs at least one status");
            }
            params.add("status=" + String.join(",", statuses));
        }
        if (a.value("--owner") != null) {
            params.add("owner=" + encode(a.value("--owner")));
        }
        if (a.flag("--ready")) {
            params.add("ready=true");
        }
        a.labels("--label").forEach((k, v) -> params.add("label=" + encode(k + ":" + v)));
        params.add("limit=" + PAGE_MAX);
        ArrayNode all = Api.JSON.createArrayNode();
        String query = String.join("&", params);
        JsonNode page = c.api().get(Api.tasks(c.queue()) + "?" + query);
        while (true) {
            page.path("tasks").forEach(all::add);
            JsonNode next = page.path("nextAfterId");
            if (next.isNull() || next.isMissingNode() || page.path("tasks").isEmpty()) {
                break;
            }
            page = c.api().get(Api.tasks(c.queue()) + "?" + query + "&afterId=" + next.asLong());
        }
        if (c.json()) {
            ObjectNode doc = Api.object();
            doc.set("tasks", all);
            doc.putNull("nextAfterId");
            c.printJson(doc);
            return 0;
        }
        for (JsonNode t : all) {
            c.print(Format.listLine(Api.decode(t, Task.class)));
        }
        return 0;
    }

    static int show(Context c) {
        long id = c.args.id(0);
        JsonNode task = c.api().get(Api.task(c.queue(), id));
        JsonNode history = c.api().get(Api.task(c.queue(), id) + "/history");
        if (c.json()) {
            ObjectNode doc = Api.object();
            doc.set("task", task);
            doc.set("history", history.path("events"));
            c.printJson(doc);
            return 0;
        }
        Task t = Api.decode(task, Task.class);
        List<TaskEvent> events = new ArrayList<>();
        history.path("events").forEach(e -> events.add(Api.decode(e, TaskEvent.class)));
        c.print(Format.show(t, events));
        return 0;
    }

    static int update(Context c) {
        Args a = c.args;
        long id = a.id(0);
        ObjectNode body = Api.object();
        putText(body, "subject", a.value("--subject"));
        putText(body, "description", a.value("--description"));
        putText(body, "activeForm", a.value("--active-form"));
        Integer priority = a.intValue("--priority");
        if (priority != null) {
            body.put("priority", priority);
        }
        Integer maxAttempts = a.positiveInt("--max-attempts");
        if (maxAttempts != null) {
            body.put("maxAttempts", maxAttempts);
        }
        if (a.has("--label")) {
            putLabels(body, "labels", a.labels("--label"));
        }
        if (a.has("--resource")) {
            ArrayNode globs = body.putArray("resources");
            a.values("--resource").forEach(globs::add);
        }
        putIds(body, "addBlockedBy", a.ids("--add-blocked-by"));
        putIds(body, "removeBlockedBy", a.ids("--remove-blocked-by"));
        if (body.isEmpty()) {
            throw new UsageException("update needs at least one change, such as --priority 2");
        }
        JsonNode answer = c.api().patch(Api.task(c.queue(), id), body);
        c.print(answer, Format.updated(Api.decode(answer, Task.class)));
        return 0;
    }

    static int delete(Context c) {
        long id = c.args.id(0);
        JsonNode answer = c.api().delete(Api.task(c.queue(), id));
        c.print(answer, Format.deleted(Api.decode(answer, Task.class)));
        return 0;
    }

    private static void putText(ObjectNode body, String field, String value) {
        if (value != null) {
            body.put(field, value);
        }
    }

    private static void putLabels(ObjectNode body, String field, Map<String, String> labels) {
        if (!labels.isEmpty()) {
            ObjectNode object = body.putObject(field);
            labels.forEach(object::put);
        }
    }

    private static void putIds(ObjectNode body, String field, List<Long> ids) {
        if (!ids.isEmpty()) {
            ArrayNode array = body.putArray(field);
            ids.forEach(array::add);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
