package dev.baton.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A request body, read strictly: it must be a JSON object, every field must be one the call
 * knows (so a typo such as {@code priorty} is refused, never ignored), and every value must
 * have the field's type. Each failure is a 400 {@code invalid_argument} naming the field.
 * An explicit {@code null} reads as absent.
 */
final class JsonBody {
    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    /** Parses a body; an empty body reads as {@code {}}. */
    static JsonBody parse(byte[] bytes, Set<String> allowed) {
        ObjectNode object;
        if (bytes.length == 0) {
            object = Json.object();
        } else {
            JsonNode parsed;
            try {
                parsed = Json.MAPPER.readTree(bytes);
            } catch (JsonProcessingException e) {
                throw ApiException.invalid("the body is not valid JSON: "
                        + e.getOriginalMessage());
            } catch (java.io.IOException e) {
                throw ApiException.invalid("the body could not be read: " + e.getMessage());
            }
            if (parsed == null || parsed.isMissingNode()) {
                object = Json.object();
            } else if (!parsed.isObject()) {
                throw ApiException.invalid("the body must be a JSON object");
            } else {
                object = (ObjectNode) parsed;
            }
        }
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.invalid("unknown field \"" + name + "\"; this call takes "
                        + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
        refuseLoneSurrogates(object, null);
        return new JsonBody(object);
    }

    /**
     * Refuses a string holding half of a surrogate pair ({@code "\ud800"} written as an escape:
     * raw bytes that are not UTF-8 already fail to parse). It has no UTF-8 form, so storing it
     * would change it: it came back as {@code "?"}.
     */
    private static void refuseLoneSurrogates(JsonNode node, String field) {
        if (node.isTextual()) {
            if (hasLoneSurrogate(node.textValue())) {
                throw ApiException.invalid(field + " holds half of a UTF-16 surrogate pair, "
                        + "which is not a character");
            }
        } else if (node.isContainerNode()) {
            Iterator<java.util.Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                if (hasLoneSurrogate(f.getKey())) {
                    throw ApiException.invalid("a field name holds half of a UTF-16 surrogate "
                            + "pair, which is not a character");
                }
                refuseLoneSurrogates(f.getValue(), field == null ? f.getKey()
                        : field + "." + f.getKey());
            }
            if (node.isArray()) {
                for (JsonNode item : node) {
                    refuseLoneSurrogates(item, field);
                }
            }
        }
    }

    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** True when the field is present with an explicit {@code null}. */
    boolean isExplicitNull(String field) {
        JsonNode v = node.get(field);
        return v != null && v.isNull();
    }

    String string(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.invalid(field + " must be a string");
        }
        return v.textValue();
    }

    String requiredString(String field) {
        String s = string(field);
        if (s == null) {
            throw ApiException.invalid(field + " is required");
        }
        return s;
    }

    Integer integer(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.invalid(field + " must be an integer (32-bit)");
        }
        return v.intValue();
    }

    Long longValue(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.invalid(field + " must be an integer");
        }
        return v.longValue();
    }

    Boolean bool(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalid(field + " must be true or false");
        }
        return v.booleanValue();
    }

    private static final long FIRST_MS = java.time.Instant.parse("0001-01-01T00:00:00Z")
            .toEpochMilli();
    private static final long LAST_MS = java.time.Instant.parse("9999-12-31T23:59:59.999Z")
            .toEpochMilli();

    /** An ISO-8601 timestamp with an offset, as epoch milliseconds. */
    Long timestamp(String field) {
        String s = string(field);
        if (s == null) {
            return null;
        }
        long ms;
        try {
            ms = OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw ApiException.invalid(field + " must be an ISO-8601 time such as "
                    + "2026-11-22T10:15:30.123Z, got \"" + s + "\"");
        }
        // Times are written back with four-digit years (API.md's form).
        if (ms < FIRST_MS || ms > LAST_MS) {
            throw ApiException.invalid(field + " must fall in the years 0001 to 9999 (UTC), got \""
                    + s + "\"");
        }
        return ms;
    }

    List<Long> ids(String field) {
        JsonNode v = array(field);
        List<Long> ids = new ArrayList<>();
        if (v != null) {
            for (JsonNode item : v) {
                if (!item.isIntegralNumber() || !item.canConvertToLong()) {
                    throw ApiException.invalid(field + " must be an array of task ids");
                }
                ids.add(item.longValue());
            }
        }
        return ids;
    }

    /** A string array, or null when absent. */
    List<String> strings(String field) {
        JsonNode v = array(field);
        if (v == null) {
            return null;
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw ApiException.invalid(field + " must be an array of strings");
            }
            values.add(item.textValue());
        }
        return values;
    }

    /** A string-to-string object, or null when absent. */
    SortedMap<String, String> labels(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.invalid(field + " must be an object of strings");
        }
        SortedMap<String, String> map = new TreeMap<>();
        Iterator<java.util.Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw ApiException.invalid(field + "." + e.getKey() + " must be a string");
            }
            map.put(e.getKey(), e.getValue().textValue());
        }
        return map;
    }

    private JsonNode array(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw ApiException.invalid(field + " must be an array");
        }
        return v;
    }
}
