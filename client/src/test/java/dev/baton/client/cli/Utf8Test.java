package dev.baton.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Text cut to a UTF-8 byte limit never splits a character. */
class Utf8Test {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theHeadKeepsWholeCharactersWithinTheLimit() {
        String text = "aé€😀b"; // 1 + 2 + 3 + 4 + 1 bytes
        byte[] bytes = utf8(text);
        assertEquals("a", Utf8.head(bytes, bytes.length, 2));
        assertEquals("aé", Utf8.head(bytes, bytes.length, 5));
        assertEquals("aé€", Utf8.head(bytes, bytes.length, 9));
        assertEquals("aé€😀", Utf8.head(bytes, bytes.length, 10));
        assertEquals(text, Utf8.head(bytes, bytes.length, 64));
        assertEquals("aé€😀", Utf8.head(text, 10));
    }

    @Test
    void theTailKeepsWholeCharactersWithinTheLimit() {
        String text = "aé€😀b";
        byte[] bytes = utf8(text);
        assertEquals("b", Utf8.tail(bytes, bytes.length, 4));
        assertEquals("😀b", Utf8.tail(bytes, bytes.length, 5));
        assertEquals("😀b", Utf8.tail(bytes, bytes.length, 7));
        assertEquals("€😀b", Utf8.tail(bytes, bytes.length, 8));
        assertEquals("é€😀b", Utf8.tail(bytes, bytes.length, 10));
        assertEquals("😀b", Utf8.tail(text, 7));
    }

    @Test
    void sixtyFourKibibytesOfOutputFitTheApiLimitExactly() {
        String big = "€".repeat(30_000); // 90,000 bytes
        byte[] bytes = utf8(big);
        String head = Utf8.head(bytes, bytes.length, Utf8.TEXT_BYTES_MAX);
        assertEquals(65_535, utf8(head).length); // 21,845 whole characters
        String tail = Utf8.tail(bytes, bytes.length, Utf8.TEXT_BYTES_MAX);
        assertEquals(65_535, utf8(tail).length);
    }
}
