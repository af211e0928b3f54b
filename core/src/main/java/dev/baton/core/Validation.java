package dev.baton.core;

import dev.baton.core.Outcome.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The limits and formats of the API contract, checked in one place. The HTTP layer calls these
 * before proposing, so a bad request never reaches the log; the machine calls them again when it
 * applies, so that the log's meaning never depends on who proposed an entry.
 *
 * <p>Each method returns null when the value is acceptable, else the rejection to answer.
 */
public final class Validation {
    private Validation() {
    }

    private static final Pattern QUEUE = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");
    private static final Pattern AGENT = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$");

    public static Rejected queueName(String queue) {
        if (queue == null || !QUEUE.matcher(queue).matches()) {
            return Rejected.invalid("queue name must match ^[a-z0-9][a-z0-9._-]{0,63}$, got "
                    + quote(queue));
        }
        return null;
    }

    public static Rejected agentName(String agent) {
        if (agent == null || !AGENT.matcher(agent).matches()) {
            return Rejected.invalid(
                    "agent name must match ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, got "
                            + quote(agent));
        }
        return null;
    }

    public static Rejected idempotencyKey(String key) {
        if (key != null && (key.isEmpty() || key.length() > Limits.IDEMPOTENCY_KEY_CHARS_MAX)) {
            return Rejected.invalid("Idempotency-Key must be 1 to "
                    + Limits.IDEMPOTENCY_KEY_CHARS_MAX + " characters");
        }
        return null;
    }

    public static Rejected taskId(long id) {
        return id >= 1 ? null : Rejected.invalid("task ids are positive integers, got " + id);
    }

    /** Everything about a command that can be checked without looking at the state. */
    public static Rejected command(Command command) {
        if (command instanceof Command.CreateTask c) {
            return create(c);
        }
        if (command instanceof Command.UpdateTask u) {
            return update(u);
        }
        if (command instanceof Command.DeleteTask d) {
            return first(queueName(d.queue()), taskId(d.id()));
        }
        if (command instanceof Command.Tick) {
            return null;
        }
        throw new AssertionError("unknown command " + command);
    }

    private static Rejected create(Command.CreateTask c) {
        Rejected r = first(queueName(c.queue()), subject("subject", c.subject()),
                text("description", c.description()), chars("activeForm", c.activeForm(),
                        Limits.ACTIVE_FORM_CHARS_MAX),
                blockers("blockedBy", c.blockedBy()), resources(c.resources()),
                requires(c.requires()), labels(c.labels()),
                chars("key", c.key(), Limits.KEY_CHARS_MAX), maxAttempts(c.maxAttempts()),
                stallMs(c.stallMs()));
        if (r != null) {
            return r;
        }
        if (c.key() != null && c.key().isEmpty()) {
            return Rejected.invalid("key must not be empty");
        }
        if (c.notBeforeMs() != null && c.delayMs() != null) {
            return Rejected.invalid("give notBefore or delayMs, not both");
        }
        if (c.delayMs() != null && (c.delayMs() < 0 || c.delayMs() > Limits.DELAY_MS_MAX)) {
            return Rejected.invalid("delayMs must be 0 to " + Limits.DELAY_MS_MAX);
        }
        return notBefore(c.notBeforeMs());
    }

    private static Rejected update(Command.UpdateTask u) {
        Rejected r = first(queueName(u.queue()), taskId(u.id()),
                u.subject() == null ? null : subject("subject", u.subject()),
                text("description", u.description()),
                chars("activeForm", u.activeForm(), Limits.ACTIVE_FORM_CHARS_MAX),
                u.labels() == null ? null : labels(u.labels()),
                u.resources() == null ? null : resources(u.resources()),
                maxAttempts(u.maxAttempts()), notBefore(u.notBeforeMs()),
                blockers("addBlockedBy", u.addBlockedBy()),
                blockers("removeBlockedBy", u.removeBlockedBy()));
        if (r != null) {
            return r;
        }
        if (u.clearNotBefore() && u.notBeforeMs() != null) {
            return Rejected.invalid("notBefore cannot be both set and cleared");
        }
        return null;
    }

    private static Rejected subject(String field, String value) {
        if (value.isBlank()) {
            return Rejected.invalid(field + " must not be blank");
        }
        return chars(field, value, Limits.SUBJECT_CHARS_MAX);
    }

    private static Rejected chars(String field, String value, int max) {
        if (value != null && value.length() > max) {
            return Rejected.invalid(field + " is " + value.length() + " characters; at most "
                    + max + " are allowed");
        }
        return null;
    }

    /** description, result and failure: at most 64 KiB of UTF-8. */
    public static Rejected text(String field, String value) {
        if (value == null) {
            return null;
        }
        // Most texts are short: only count bytes when the characters alone could exceed it.
        if (value.length() * 3L > Limits.TEXT_BYTES_MAX
                && value.getBytes(StandardCharsets.UTF_8).length > Limits.TEXT_BYTES_MAX) {
            return Rejected.invalid(field + " is larger than " + Limits.TEXT_BYTES_MAX
                    + " bytes of UTF-8");
        }
        return null;
    }

    private static Rejected blockers(String field, List<Long> ids) {
        if (ids.size() > Limits.BLOCKERS_MAX) {
            return Rejected.invalid(field + " has " + ids.size() + " ids; at most "
                    + Limits.BLOCKERS_MAX + " are allowed");
        }
        for (Long id : ids) {
            if (id == null || id < 1) {
                return Rejected.invalid(field + " holds task ids, which are positive integers");
            }
        }
        return null;
    }

    private static Rejected resources(List<String> globs) {
        if (globs.size() > Limits.RESOURCES_MAX) {
            return Rejected.invalid("resources has " + globs.size() + " globs; at most "
                    + Limits.RESOURCES_MAX + " are allowed");
        }
        for (String glob : globs) {
            if (glob == null || glob.isBlank()) {
                return Rejected.invalid("resources must not hold empty globs");
            }
            Rejected r = chars("resources[]", glob, Limits.RESOURCE_CHARS_MAX);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private static Rejected requires(List<String> capabilities) {
        if (capabilities.size() > Limits.REQUIRES_MAX) {
            return Rejected.invalid("requires has " + capabilities.size()
                    + " capabilities; at most " + Limits.REQUIRES_MAX + " are allowed");
        }
        for (String c : capabilities) {
            if (c == null || c.isBlank() || c.length() > Limits.CAPABILITY_CHARS_MAX) {
                return Rejected.invalid("each capability in requires must be 1 to "
                        + Limits.CAPABILITY_CHARS_MAX + " characters");
            }
        }
        return null;
    }

    public static Rejected labels(Map<String, String> labels) {
        if (labels.size() > Limits.LABELS_MAX) {
            return Rejected.invalid("labels has " + labels.size() + " entries; at most "
                    + Limits.LABELS_MAX + " are allowed");
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String k = e.getKey();
            if (k == null || k.isEmpty() || k.length() > Limits.LABEL_KEY_CHARS_MAX) {
                return Rejected.invalid("label keys must be 1 to " + Limits.LABEL_KEY_CHARS_MAX
                        + " characters");
            }
            if (e.getValue() == null || e.getValue().length() > Limits.LABEL_VALUE_CHARS_MAX) {
                return Rejected.invalid("label " + quote(k) + " must have a string value of at most "
                        + Limits.LABEL_VALUE_CHARS_MAX + " characters");
            }
        }
        return null;
    }

    private static Rejected maxAttempts(Integer value) {
        if (value != null && (value < Limits.MAX_ATTEMPTS_MIN || value > Limits.MAX_ATTEMPTS_MAX)) {
            return Rejected.invalid("maxAttempts must be " + Limits.MAX_ATTEMPTS_MIN + " to "
                    + Limits.MAX_ATTEMPTS_MAX + ", got " + value);
        }
        return null;
    }

    private static Rejected stallMs(Long value) {
        if (value != null && (value < Limits.STALL_MS_MIN || value > Limits.STALL_MS_MAX)) {
            return Rejected.invalid("stallMs must be " + Limits.STALL_MS_MIN + " to "
                    + Limits.STALL_MS_MAX + ", got " + value);
        }
        return null;
    }

    private static Rejected notBefore(Long value) {
        if (value != null && value < 0) {
            return Rejected.invalid("notBefore must not be before 1970");
        }
        return null;
    }

    private static Rejected first(Rejected... checks) {
        for (Rejected r : checks) {
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "\"" + s + "\"";
    }
}
