package dev.baton.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Durations as typed: units, sums, bare seconds, and garbage refused. */
class DurationsTest {
    @Test
    void unitsAndSumsAndBareSecondsAreRead() {
        assertEquals(Duration.ofMillis(500), Durations.parse("--x", "500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("--x", "30s"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("--x", "30"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("--x", "2m"));
        assertEquals(Duration.ofHours(1), Durations.parse("--x", "1h"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("--x", "1m30s"));
        assertEquals(Duration.ZERO, Durations.parse("--x", "0"));
    }

    @Test
    void anythingElseIsAUsageErrorNamingTheOption() {
        for (String bad : new String[] {"", "s", "3x", "1.5s", "-1s", "30 s", "1d", "m5",
            "5ms5"}) {
            UsageException e = assertThrows(UsageException.class,
                    () -> Durations.parse("--wait", bad), bad);
            assertEquals("--wait takes a duration such as 500ms, 30s, 2m or 1h (a bare number"
                    + " is seconds), got \"" + bad + "\"", e.getMessage());
        }
    }

    @Test
    void durationsAreWrittenInTheirShortestExactForm() {
        assertEquals("30s", Durations.format(Duration.ofSeconds(30)));
        assertEquals("1m30s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
        assertEquals("2h", Durations.format(Duration.ofHours(2)));
        assertEquals("0s", Durations.format(Duration.ZERO));
        assertEquals("12s", Durations.approximate(Duration.ofMillis(12_900)));
        assertEquals("4m", Durations.approximate(Duration.ofSeconds(250)));
    }
}
