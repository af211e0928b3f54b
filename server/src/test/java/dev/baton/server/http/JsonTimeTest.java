package dev.baton.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Times are written digit by digit: exactly as the contract's formatter writes them. */
class JsonTimeTest {
    private static final DateTimeFormatter CONTRACT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void everyTimeIsWrittenAsTheFormatterWritesIt() {
        Random random = new Random(5);
        long from = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
        for (int i = 0; i < 50_000; i++) {
            long ms = from + (long) (random.nextDouble() * (to - from));
            assertEquals(CONTRACT.format(Instant.ofEpochMilli(ms)), Json.time(ms));
        }
        for (String edge : List.of("0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
                "1969-12-31T23:59:59.999Z",
                "2024-02-29T23:59:59.999Z", "2026-11-22T10:15:30.001Z",
                "9999-12-31T23:59:59.999Z", "+10000-01-01T00:00:00Z", "0000-06-01T12:00:00Z",
                "-0001-06-01T12:00:00Z")) {
            long ms = Instant.parse(edge).toEpochMilli();
            assertEquals(CONTRACT.format(Instant.ofEpochMilli(ms)), Json.time(ms), edge);
        }
    }
}
