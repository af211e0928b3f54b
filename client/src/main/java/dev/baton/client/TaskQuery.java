package dev.baton.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The filters of a task listing: {@code TaskQuery.all().status(PENDING).ready().limit(50)}.
 * Immutable. The server answers in id order, a page at a time; {@link BatonClient#allTasks}
 * follows the pages.
 */
public final class TaskQuery {
    private final List<TaskStatus> statuses;
    private final String owner;
    private final boolean ready;
    private final List<String> labels;
    private final Long afterId;
    private final Integer limit;

    private TaskQuery(List<TaskStatus> statuses, String owner, boolean ready,
                      List<String> labels, Long afterId, Integer limit) {
        this.statuses = statuses;
        this.owner = owner;
        this.ready = ready;
        this.labels = labels;
        this.afterId = afterId;
        this.limit = limit;
    }

    /** Every task of the queue, deleted ones included, in pages of the server's default. */
    public static TaskQuery all() {
        return new TaskQuery(List.of(), null, false, List.of(), null, null);
    }

    /** Only tasks in one of these statuses. */
    public TaskQuery status(TaskStatus... statuses) {
        return new TaskQuery(List.of(statuses), owner, ready, labels, afterId, limit);
    }

    public TaskQuery owner(String owner) {
        return new TaskQuery(statuses, owner, ready, labels, afterId, limit);
    }

    /** Only tasks that can be claimed now. */
    public TaskQuery ready() {
        return new TaskQuery(statuses, owner, true, labels, afterId, limit);
    }

    /** Only tasks with this label; several labels must all match. */
    public TaskQuery label(String name, String value) {
        List<String> more = new ArrayList<>(labels);
        more.add(Objects.requireNonNull(name, "name") + ":" + Objects.requireNonNull(value));
        return new TaskQuery(statuses, owner, ready, List.copyOf(more), afterId, limit);
    }

    /** Only tasks with a greater id: the {@code nextAfterId} of the previous page. */
    public TaskQuery afterId(long afterId) {
        return new TaskQuery(statuses, owner, ready, labels, afterId, limit);
    }

    /** At most this many tasks (1 to 1000; the server's default is 100). */
    public TaskQuery limit(int limit) {
        return new TaskQuery(statuses, owner, ready, labels, afterId, limit);
    }

    /** The query string, with its leading {@code ?}, or empty. */
    String toQueryString() {
        List<String> params = new ArrayList<>();
        if (!statuses.isEmpty()) {
            params.add("status=" + statuses.stream().map(TaskStatus::wireName)
                    .collect(Collectors.joining(",")));
        }
        if (owner != null) {
            params.add("owner=" + encode(owner));
        }
        if (ready) {
            params.add("ready=true");
        }
        labels.forEach(l -> params.add("label=" + encode(l)));
        if (afterId != null) {
            params.add("afterId=" + afterId);
        }
        if (limit != null) {
            params.add("limit=" + limit);
        }
        return params.isEmpty() ? "" : "?" + String.join("&", params);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskQuery other && toQueryString().equals(other.toQueryString());
    }

    @Override
    public int hashCode() {
        return toQueryString().hashCode();
    }

    @Override
    public String toString() {
        return "TaskQuery" + toQueryString();
    }
}
