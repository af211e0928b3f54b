package dev.baton.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.core.Outcome;
import dev.baton.core.model.Progress;
import dev.baton.core.model.Session;
import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** Renders core values as the contract's JSON. Field names and order follow API.md. */
final class Json {
    private Json() {
    }

    /** Strict: a duplicate field, or anything after the body's JSON value, is a bad body. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** ISO-8601 UTC with milliseconds, always three digits: {@code 2026-11-22T10:15:30.123Z}. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /**
     * The contract's time form. Written digit by digit for the years 1 to 9999 (every time a
     * node stamps): with the formatter, the times were a tenth of the thread that answers an
     * entry's requests, which every entry waits for (docs/PERFORMANCE.md item 18). Other years
     * go to the formatter.
     */
    static String time(long epochMs) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMs, 1000), 0,
                ZoneOffset.UTC);
        if (t.getYear() < 1 || t.getYear() > 9999) {
            return TIME.format(Instant.ofEpochMilli(epochMs));
        }
        byte[] s = TIME_TEMPLATE.clone();
        digits(s, 0, 4, t.getYear());
        digits(s, 5, 2, t.getMonthValue());
        digits(s, 8, 2, t.getDayOfMonth());
        digits(s, 11, 2, t.getHour());
        digits(s, 14, 2, t.getMinute());
        digits(s, 17, 2, t.getSecond());
        digits(s, 20, 3, (int) Math.floorMod(epochMs, 1000));
        return new String(s, StandardCharsets.US_ASCII);
    }

    private static final byte[] TIME_TEMPLATE =
            "0000-00-00T00:00:00.000Z".getBytes(StandardCharsets.US_ASCII);

    /** Writes {@code value} as {@code n} decimal digits ending before {@code from + n}. */
    private static void digits(byte[] s, int from, int n, int value) {
        for (int i = from + n - 1; i >= from; i--) {
            s[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    static String timeOrNull(Long epochMs) {
        return epochMs == null ? null : time(epochMs);
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(Object node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    /**
     * A task as the contract shows it.
     *
     * @param nowMs the machine time at which {@code ready} is judged
     */
    static ObjectNode task(Task t, long nowMs) {
        ObjectNode n = object();
        n.put("queue", t.queue());
        n.put("id", t.id());
        n.put("subject", t.subject());
        n.put("description", t.description());
        n.put("activeForm", t.activeForm());
        n.put("status", t.status().wireName());
        n.put("ready", t.isReadyAt(nowMs));
        n.put("owner", t.owner());
        n.put("token", t.token());
        n.put("priority", t.priority());
        longs(n.putArray("blockedBy"), t.blockedBy());
        longs(n.putArray("blocks"), t.blocks());
        strings(n.putArray("resources"), t.resources());
        strings(n.putArray("requires"), t.requires());
        ObjectNode labels = n.putObject("labels");
        t.labels().forEach(labels::put);
        n.put("key", t.key());
        n.put("attempts", t.attempts());
        n.put("maxAttempts", t.maxAttempts());
        n.put("stallMs", t.stallMs());
        n.put("notBefore", timeOrNull(t.notBeforeMs()));
        Progress p = t.progress();
        if (p == null) {
            n.putNull("progress");
        } else {
            ObjectNode progress = n.putObject("progress");
            progress.put("note", p.note());
            progress.put("percent", p.percent());
            progress.put("at", time(p.atMs()));
        }
        n.put("result", t.result());
        n.put("failure", t.failure());
        n.put("createdAt", time(t.createdAtMs()));
        n.put("updatedAt", time(t.updatedAtMs()));
        n.put("claimedAt", timeOrNull(t.claimedAtMs()));
        n.put("completedAt", timeOrNull(t.completedAtMs()));
        return n;
    }

    static ObjectNode event(TaskEvent e) {
        ObjectNode n = object();
        n.put("index", e.index());
        n.put("at", time(e.atMs()));
        n.put("type", e.type().wireName());
        n.put("agent", e.agent());
        n.put("token", e.token());
        n.put("reason", e.reason());
        if (!e.fields().isEmpty()) {
            strings(n.putArray("fields"), e.fields());
        }
        return n;
    }

    static ObjectNode queue(QueueSummary q) {
        ObjectNode n = object();
        n.put("name", q.name());
        ObjectNode counts = n.putObject("counts");
        counts.put("pending", q.pending());
        counts.put("ready", q.ready());
        counts.put("in_progress", q.inProgress());
        counts.put("completed", q.completed());
        counts.put("failed", q.failed());
        return n;
    }

    /** {"task", "token"}: a claim, as claim, claim-next and handoff answer it. */
    static ObjectNode claimed(Outcome.Claimed c) {
        ObjectNode n = object();
        n.set("task", task(c.task(), c.task().updatedAtMs()));
        n.put("token", c.token());
        return n;
    }

    /** An agent's session: {"agent", "ttlMs", "expiresAt", "claims": [{"queue","id","token"}]}. */
    static ObjectNode session(Session s) {
        ObjectNode n = object();
        n.put("agent", s.agent());
        n.put("ttlMs", s.ttlMs());
        n.put("expiresAt", time(s.expiresAtMs()));
        ArrayNode claims = n.putArray("claims");
        for (Session.Claim c : s.claims()) {
            ObjectNode claim = claims.addObject();
            claim.put("queue", c.queue());
            claim.put("id", c.id());
            claim.put("token", c.token());
        }
        return n;
    }

    static ObjectNode error(String code, String message, Map<String, Object> details) {
        ObjectNode root = object();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        details.forEach((k, v) -> error.set(k, MAPPER.valueToTree(v)));
        return root;
    }

    private static void longs(ArrayNode array, List<Long> values) {
        values.forEach(array::add);
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
