package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Queue and agent names are checked by hand: exactly what the contract's regex accepts. */
class NameFormatTest {
    /** Every character class the two rules name, their neighbours in ASCII, and beyond ASCII. */
    private static final String ALPHABET = "az09AZ._-:@/ \t+*`{[^$é\u0000\u007f\u0080日";

    @Test
    void queueAndAgentNamesAreWhatTheContractsRegexAccepts() {
        Random random = new Random(11);
        for (Validation.NameFormat format : List.of(Validation.QUEUE, Validation.AGENT)) {
            Pattern regex = Pattern.compile(format.regex());
            for (int i = 0; i < 50_000; i++) {
                int length = random.nextInt(10) == 0 ? format.maxChars() - 2 + random.nextInt(4)
                        : random.nextInt(8);
                StringBuilder name = new StringBuilder();
                for (int j = 0; j < length; j++) {
                    name.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                }
                // Mostly valid characters after the first, so that long valid names occur.
                if (length > 1 && random.nextBoolean()) {
                    name.setCharAt(0, 'a');
                    for (int j = 1; j < length; j++) {
                        name.setCharAt(j, "ab9_".charAt(random.nextInt(4)));
                    }
                }
                String s = name.toString();
                assertEquals(regex.matcher(s).matches(), format.matches(s), format.regex()
                        + " on \"" + s + "\"");
            }
        }
    }

    @Test
    void theRulesAndMessagesAreTheContractsWords() {
        // API.md, as written there: a drift in Validation's regex strings fails here.
        assertEquals("^[a-z0-9][a-z0-9._-]{0,63}$", Validation.QUEUE.regex());
        assertEquals("^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$", Validation.AGENT.regex());
        assertEquals("queue name must match ^[a-z0-9][a-z0-9._-]{0,63}$, got \"Bad\"",
                Validation.queueName("Bad").message());
        assertEquals("agent name must match ^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$, got \":a\"",
                Validation.agentName(":a").message());
        assertNull(Validation.queueName("default"));
        assertNull(Validation.agentName("agent:run_7a1"));
    }

    @Test
    void theContractsExamplesAndBounds() {
        assertTrue(Validation.QUEUE.matches("default"));
        assertTrue(Validation.QUEUE.matches("q".repeat(64)));
        assertFalse(Validation.QUEUE.matches("q".repeat(65)));
        assertFalse(Validation.QUEUE.matches("Default"));
        assertFalse(Validation.QUEUE.matches("-q"));
        assertFalse(Validation.QUEUE.matches(""));
        assertFalse(Validation.QUEUE.matches(null));
        assertTrue(Validation.AGENT.matches("agent:run_7a1"));
        assertTrue(Validation.AGENT.matches("team/agent@host"));
        assertFalse(Validation.AGENT.matches("café"));
        assertFalse(Validation.AGENT.matches(":a"));
        assertTrue(Validation.AGENT.matches("a".repeat(128)));
        assertFalse(Validation.AGENT.matches("a".repeat(129)));
    }
}
