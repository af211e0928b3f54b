package dev.baton.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Map;

/**
 * JSON in and out. Answers are read leniently, so that a newer server may add fields and
 * statuses without breaking this client; requests are built field by field, so that this client
 * never sends a field the server would refuse as unknown.
 */
final class Wire {
    private Wire() {
    }

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .addModule(new SimpleModule("baton-time")
                    .addDeserializer(Instant.class, new InstantDeserializer()))
            .build();

    /** The contract's form: UTC with exactly three fraction digits. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    static String time(Instant instant) {
        return TIME.format(instant);
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode ids(long... ids) {
        ArrayNode array = MAPPER.createArrayNode();
        for (long id : ids) {
            array.add(id);
        }
        return array;
    }

    static ArrayNode strings(Collection<String> values) {
        ArrayNode array = MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    static ObjectNode labels(Map<String, String> labels) {
        ObjectNode object = object();
        labels.forEach(object::put);
        return object;
    }

    static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return object();
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BatonException("the server answered something that is not JSON: "
                    + abbreviate(text), e);
        }
    }

    /**
     * Reads an answer's text straight into {@code type}, without a tree in between (the tree and
     * its copy into the record were most of a call's JSON cost; docs/PERFORMANCE.md item 18).
     */
    static <T> T read(String text, Class<T> type) {
        String json = text == null || text.isBlank() ? "{}" : text;
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            // Jackson wraps a syntax error met inside a field's value (an answer cut short).
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StreamReadException) {
                    throw new BatonException("the server answered something that is not JSON: "
                            + abbreviate(json), e);
                }
            }
            throw new BatonException("cannot read the server's answer as " + type.getSimpleName()
                    + ": " + abbreviate(json), e);
        }
    }

    static <T> T read(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new BatonException("cannot read the server's answer as " + type.getSimpleName()
                    + ": " + abbreviate(node.toString()), e);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    /**
     * An ISO-8601 time with an offset. The contract's own form ({@code 2026-11-22T10:15:30.123Z},
     * what every Baton answer carries) is read field by field: the general parser built a map of
     * fields for each of a task's five times, and took a sixth of a call's CPU in the load
     * generator. Anything else, and any field out of range, goes to the general parser, which
     * also gives the error.
     */
    static Instant instant(String text) {
        if (text.length() == 24 && text.charAt(4) == '-' && text.charAt(7) == '-'
                && text.charAt(10) == 'T' && text.charAt(13) == ':' && text.charAt(16) == ':'
                && text.charAt(19) == '.' && text.charAt(23) == 'Z') {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 2);
            int day = digits(text, 8, 2);
            int hour = digits(text, 11, 2);
            int minute = digits(text, 14, 2);
            int second = digits(text, 17, 2);
            int milli = digits(text, 20, 3);
            if (year >= 0 && month >= 1 && month <= 12 && day >= 1
                    && day <= YearMonth.of(year, month).lengthOfMonth()
                    && hour >= 0 && hour < 24 && minute >= 0 && minute < 60
                    && second >= 0 && second < 60 && milli >= 0) {
                long days = LocalDate.of(year, month, day).toEpochDay();
                return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second,
                        milli * 1_000_000L);
            }
        }
        return OffsetDateTime.parse(text).toInstant();
    }

    /** The decimal number in {@code text[from, from + n)}, or -1 if any of it is not a digit. */
    private static int digits(String text, int from, int n) {
        int value = 0;
        for (int i = from; i < from + n; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Reads the contract's timestamps, and any ISO-8601 time with an offset. */
    private static final class InstantDeserializer extends StdScalarDeserializer<Instant> {
        InstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) ctx.handleUnexpectedToken(Instant.class, p);
            }
            String text = p.getText();
            try {
                return instant(text);
            } catch (DateTimeParseException e) {
                return (Instant) ctx.handleWeirdStringValue(Instant.class, text,
                        "not an ISO-8601 time");
            }
        }
    }
}
