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

    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String DIGITS = "0123456789";
    static final NameFormat QUEUE = new NameFormat("^[a-z0-9][a-z0-9._-]{0,63}$",
            LOWER + DIGITS, LOWER + DIGITS + "._-", 64);
    static final NameFormat AGENT = new NameFormat("^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$",
            LOWER + UPPER + DIGITS, LOWER + UPPER + DIGITS + "._:@/-", 128);

    /**
     * A name of ASCII characters: the first from one set, the rest from another, at most
     * {@code maxChars} in all; {@code regex} is the same rule as the contract writes it, for
     * messages and for the test that holds the two to each other. Checked character by
     * character: every request carries a queue or an agent name and is checked twice (by the
     * HTTP layer, and by the machine as it applies), and a regex matcher took a tenth of the
     * leader's HTTP event loop and a thirtieth of each applying thread (docs/PERFORMANCE.md
     * item 18).
     */
    static final class NameFormat {
        private final String regex;
        private final boolean[] first;
        private final boolean[] rest;
        private final int maxChars;

        NameFormat(String regex, String first, String rest, int maxChars) {
            this.regex = regex;
            this.first = ascii(first);
            this.rest = ascii(rest);
            this.maxChars = maxChars;
        }

        private static boolean[] ascii(String chars) {
            boolean[] set = new boolean[128];
            chars.chars().forEach(c -> set[c] = true);
            return set;
        }

        String regex() {
            return regex;
        }

        int maxChars() {
            return maxChars;
        }

        boolean matches(String name) {
            if (name == null || name.isEmpty() || name.length() > maxChars) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c >= 128 || !(i == 0 ? first : rest)[c]) {
                    return false;
                }
            }
            return true;
        }
    }

    public static Rejected queueName(String queue) {
        if (!QUEUE.matches(queue)) {
            return Rejected.invalid("queue name must match " + QUEUE.regex() + ", got "
                    + quote(queue));
        }
        return null;
    }

    public static Rejected agentName(String agent) {
        if (!AGENT.matches(agent)) {
            return Rejected.invalid("agent name must match " + AGENT.regex() + ", got "
                    + quote(agent));
        }
        return null;
    }

    public static Rejected idempotencyKey(String key) {
        if (key != null && (key.isEmpty() || longer(key, Limits.IDEMPOTENCY_KEY_CHARS_MAX))) {
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
        return claimCommand(command);
    }

    private static Rejected claimCommand(Command command) {
        if (command instanceof Command.ClaimTask c) {
            return first(queueName(c.queue()), taskId(c.id()), agentName(c.agent()),
                    ttl("sessionTtlMs", c.sessionTtlMs()));
        }
        if (command instanceof Command.ClaimNext c) {
            Rejected r = first(queueName(c.queue()), agentName(c.agent()),
                    ttl("sessionTtlMs", c.sessionTtlMs()), labels(c.labels()),
                    capabilities("capabilities", c.capabilities(), Limits.CAPABILITIES_MAX));
            if (r == null && (c.count() < 1 || c.count() > Limits.CLAIM_COUNT_MAX)) {
                r = Rejected.invalid("count must be 1 to " + Limits.CLAIM_COUNT_MAX + ", got "
                        + c.count());
            }
            return r;
        }
        if (command instanceof Command.ReportProgress c) {
            Rejected r = first(queueName(c.queue()), taskId(c.id()), token(c.token()),
                    text("note", c.note()));
            if (r == null && c.percent() != null
                    && (c.percent() < 0 || c.percent() > Limits.PERCENT_MAX)) {
                r = Rejected.invalid("percent must be 0 to 100, got " + c.percent());
            }
            return r;
        }
        if (command instanceof Command.CompleteTask c) {
            return first(queueName(c.queue()), taskId(c.id()), token(c.token()),
                    text("result", c.result()));
        }
        if (command instanceof Command.FailTask c) {
            Rejected r = first(queueName(c.queue()), taskId(c.id()), token(c.token()),
                    text("reason", c.reason()));
            Long delay = c.retryDelayMs();
            if (r == null && delay != null && (delay < 0 || delay > Limits.DELAY_MS_MAX)) {
                r = Rejected.invalid("retryDelayMs must be 0 to " + Limits.DELAY_MS_MAX);
            }
            return r;
        }
        if (command instanceof Command.ReleaseTask c) {
            return first(queueName(c.queue()), taskId(c.id()), token(c.token()));
        }
        if (command instanceof Command.HandOff c) {
            return first(queueName(c.queue()), taskId(c.id()), token(c.token()),
                    agentName(c.to()), text("note", c.note()));
        }
        if (command instanceof Command.Pulse c) {
            return first(agentName(c.agent()), ttl("ttlMs", c.ttlMs()));
        }
        if (command instanceof Command.LeaveAgent c) {
            return agentName(c.agent());
        }
        if (command instanceof Command.ExpireSessions c) {
            return c.sessions().size() > Limits.EXPIRE_BATCH_MAX
                    ? Rejected.invalid("too many sessions in one expiry") : null;
        }
        if (command instanceof Command.StallTasks c) {
            return c.tasks().size() > Limits.EXPIRE_BATCH_MAX
                    ? Rejected.invalid("too many tasks in one stall") : null;
        }
        if (command instanceof Command.SetMember c) {
            return first(memberId(c.id()), address("raftAddress", c.raftAddress()),
                    address("httpAddress", c.httpAddress()));
        }
        if (command instanceof Command.RemoveMember c) {
            return memberId(c.id());
        }
        throw new AssertionError("unknown command " + command);
    }

    private static final Pattern MEMBER = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$");
    private static final Pattern ADDRESS = Pattern.compile("^[^\\s/]{1,253}:[0-9]{1,5}$");

    public static Rejected memberId(String id) {
        if (id == null || !MEMBER.matcher(id).matches()) {
            return Rejected.invalid("member ids match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$, got "
                    + quote(id));
        }
        return null;
    }

    /** A host:port with a port from 1 to 65535. */
    public static Rejected address(String field, String address) {
        if (address != null && ADDRESS.matcher(address).matches()) {
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            if (port >= 1 && port <= 65535) {
                return null;
            }
        }
        return Rejected.invalid(field + " must be host:port with a port from 1 to 65535, got "
                + quote(address));
    }

    private static Rejected ttl(String field, long ttlMs) {
        if (ttlMs < Limits.SESSION_TTL_MS_MIN || ttlMs > Limits.SESSION_TTL_MS_MAX) {
            return Rejected.invalid(field + " must be " + Limits.SESSION_TTL_MS_MIN + " to "
                    + Limits.SESSION_TTL_MS_MAX + ", got " + ttlMs);
        }
        return null;
    }

    private static Rejected token(long token) {
        return token >= 1 ? null
                : Rejected.invalid("tokens are positive integers, got " + token);
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
        if (longer(value, max)) {
            return Rejected.invalid(field + " is " + characters(value) + " characters; at most "
                    + max + " are allowed");
        }
        return null;
    }

    /**
     * The contract's "chars" are characters (Unicode code points), not UTF-16 units: an emoji
     * is one. Cheap when the text is short enough in units already.
     */
    private static boolean longer(String value, int max) {
        return value != null && value.length() > max && characters(value) > max;
    }

    private static int characters(String value) {
        return value.codePointCount(0, value.length());
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
        return capabilities("requires", capabilities, Limits.REQUIRES_MAX);
    }

    private static Rejected capabilities(String field, List<String> capabilities, int max) {
        if (capabilities.size() > max) {
            return Rejected.invalid(field + " has " + capabilities.size()
                    + " capabilities; at most " + max + " are allowed");
        }
        for (String c : capabilities) {
            if (c == null || c.isBlank() || longer(c, Limits.CAPABILITY_CHARS_MAX)) {
                return Rejected.invalid("each capability in " + field + " must be 1 to "
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
            if (k == null || k.isEmpty() || longer(k, Limits.LABEL_KEY_CHARS_MAX)) {
                return Rejected.invalid("label keys must be 1 to " + Limits.LABEL_KEY_CHARS_MAX
                        + " characters");
            }
            if (e.getValue() == null || longer(e.getValue(), Limits.LABEL_VALUE_CHARS_MAX)) {
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
