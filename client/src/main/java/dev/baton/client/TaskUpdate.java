package dev.baton.client;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The body of a PATCH: only the fields set change. {@code TaskUpdate.create().priority(4)
 * .addBlockedBy(7)}. Immutable, like {@link NewTask}. Adding a blocker that would close a
 * dependency cycle is refused with {@code cycle}.
 */
public final class TaskUpdate extends RequestBody<TaskUpdate> {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private TaskUpdate(ObjectNode body) {
        super(body);
    }

    @Override
    TaskUpdate wrap(ObjectNode body) {
        return new TaskUpdate(body);
    }

    /** An update that changes nothing yet. */
    public static TaskUpdate create() {
        return new TaskUpdate(Wire.object());
    }

    public TaskUpdate subject(String subject) {
        return with("subject", NODES.textNode(subject));
    }

    public TaskUpdate description(String description) {
        return with("description", NODES.textNode(description));
    }

    public TaskUpdate activeForm(String activeForm) {
        return with("activeForm", NODES.textNode(activeForm));
    }

    public TaskUpdate priority(int priority) {
        return with("priority", NODES.numberNode(priority));
    }

    /** Replaces every label. */
    public TaskUpdate labels(Map<String, String> labels) {
        return with("labels", Wire.labels(labels));
    }

    /** Replaces every resource glob. */
    public TaskUpdate resources(String... globs) {
        return with("resources", Wire.strings(List.of(globs)));
    }

    public TaskUpdate maxAttempts(int maxAttempts) {
        return with("maxAttempts", NODES.numberNode(maxAttempts));
    }

    public TaskUpdate notBefore(Instant notBefore) {
        return with("notBefore", NODES.textNode(Wire.time(notBefore)));
    }

    /** Removes {@code notBefore}: the task is claimable now (sent as an explicit null). */
    public TaskUpdate clearNotBefore() {
        return with("notBefore", NODES.nullNode());
    }

    public TaskUpdate addBlockedBy(long... ids) {
        return with("addBlockedBy", Wire.ids(ids));
    }

    public TaskUpdate removeBlockedBy(long... ids) {
        return with("removeBlockedBy", Wire.ids(ids));
    }
}
