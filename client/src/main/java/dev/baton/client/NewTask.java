package dev.baton.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The body of a create: {@code NewTask.of("Ship it").priority(2).blockedBy(1, 2)}. Immutable:
 * every method returns a new value, so one can be shared and sent again. Only the fields set
 * are sent; the server applies its defaults and checks every limit.
 */
public final class NewTask extends RequestBody<NewTask> {
    private NewTask(ObjectNode body) {
        super(body);
    }

    @Override
    NewTask wrap(ObjectNode body) {
        return new NewTask(body);
    }

    public static NewTask of(String subject) {
        Objects.requireNonNull(subject, "subject");
        ObjectNode body = Wire.object();
        body.put("subject", subject);
        return new NewTask(body);
    }

    public NewTask description(String description) {
        return with("description", Wire.MAPPER.getNodeFactory().textNode(description));
    }

    /** The present-continuous form shown while the task runs ("Reviewing auth module"). */
    public NewTask activeForm(String activeForm) {
        return with("activeForm", Wire.MAPPER.getNodeFactory().textNode(activeForm));
    }

    /** Higher first; default 0. */
    public NewTask priority(int priority) {
        return with("priority", Wire.MAPPER.getNodeFactory().numberNode(priority));
    }

    /** The tasks of the same queue that must complete first. */
    public NewTask blockedBy(long... ids) {
        return with("blockedBy", Wire.ids(ids));
    }

    public NewTask blockedBy(List<Long> ids) {
        return blockedBy(ids.stream().mapToLong(Long::longValue).toArray());
    }

    /** Path globs this task writes; conflicting tasks are never in progress together. */
    public NewTask resources(String... globs) {
        return with("resources", Wire.strings(List.of(globs)));
    }

    /** Capabilities an agent must offer in claim-next to be handed this task. */
    public NewTask requires(String... capabilities) {
        return with("requires", Wire.strings(List.of(capabilities)));
    }

    /** Adds one label to those already set. */
    public NewTask label(String name, String value) {
        ObjectNode labels = body.has("labels") ? ((ObjectNode) body.get("labels")).deepCopy()
                : Wire.object();
        labels.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return with("labels", labels);
    }

    /** Replaces every label. */
    public NewTask labels(Map<String, String> labels) {
        return with("labels", Wire.labels(labels));
    }

    /** A dedupe key: creating a task whose key is taken answers the existing task. */
    public NewTask key(String key) {
        return with("key", Wire.MAPPER.getNodeFactory().textNode(key));
    }

    public NewTask maxAttempts(int maxAttempts) {
        return with("maxAttempts", Wire.MAPPER.getNodeFactory().numberNode(maxAttempts));
    }

    /** Releases the task when its live owner reports nothing on it for this long. */
    public NewTask stall(Duration stall) {
        return with("stallMs", Wire.MAPPER.getNodeFactory().numberNode(stall.toMillis()));
    }

    /** Not claimable before this time (leader time); exclusive with {@link #delay}. */
    public NewTask notBefore(Instant notBefore) {
        return with("notBefore", Wire.MAPPER.getNodeFactory().textNode(Wire.time(notBefore)));
    }

    /** Not claimable until this long after the leader accepts it; exclusive with notBefore. */
    public NewTask delay(Duration delay) {
        return with("delayMs", Wire.MAPPER.getNodeFactory().numberNode(delay.toMillis()));
    }
}
