package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The limits agree with the API contract and with each other. */
class LimitsTest {

    @Test
    void theContractsNumbersAreTheOnesEnforced() {
        assertEquals(500, Limits.SUBJECT_CHARS_MAX);
        assertEquals(64 * 1024, Limits.TEXT_BYTES_MAX);
        assertEquals(32, Limits.LABELS_MAX);
        assertEquals(32, Limits.REQUIRES_MAX);
        assertEquals(100, Limits.BLOCKERS_MAX);
        assertEquals(64, Limits.RESOURCES_MAX);
        assertEquals(256, Limits.KEY_CHARS_MAX);
        assertEquals(1, Limits.MAX_ATTEMPTS_MIN);
        assertEquals(1000, Limits.MAX_ATTEMPTS_MAX);
        assertEquals(5, Limits.MAX_ATTEMPTS_DEFAULT);
        assertEquals(128, Limits.IDEMPOTENCY_KEY_CHARS_MAX);
        assertEquals(24L * 60 * 60 * 1000, Limits.IDEMPOTENCY_TTL_MS);
        assertEquals(1_000_000, Limits.IDEMPOTENCY_KEYS_MAX_DEFAULT);
        assertEquals(100, Limits.LIST_LIMIT_DEFAULT);
        assertEquals(1000, Limits.LIST_LIMIT_MAX);
    }

    @Test
    void lengthsCountCharactersNotUtf16Units() {
        String emoji = "\uD83D\uDE00"; // One character, two UTF-16 units.
        assertNull(Validation.command(create(emoji.repeat(Limits.SUBJECT_CHARS_MAX))));
        Outcome.Rejected tooLong = Validation.command(
                create(emoji.repeat(Limits.SUBJECT_CHARS_MAX + 1)));
        assertEquals("subject is 501 characters; at most 500 are allowed", tooLong.message());
        assertNull(Validation.idempotencyKey(emoji.repeat(Limits.IDEMPOTENCY_KEY_CHARS_MAX)));
        assertNotNull(Validation.idempotencyKey(
                emoji.repeat(Limits.IDEMPOTENCY_KEY_CHARS_MAX + 1)));
    }

    private static Command create(String subject) {
        return new Command.CreateTask("q", subject, null, null, 0, List.of(), List.of(),
                List.of(), new TreeMap<>(), null, null, null, null, null);
    }

    @Test
    void listPagesFitWithinOneScan() {
        assertTrue(0 < Limits.LIST_LIMIT_DEFAULT);
        assertTrue(Limits.LIST_LIMIT_DEFAULT <= Limits.LIST_LIMIT_MAX);
        assertTrue(Limits.LIST_LIMIT_MAX <= Limits.LIST_SCAN_MAX);
    }

    @Test
    void defaultsLieWithinTheirRanges() {
        assertTrue(Limits.MAX_ATTEMPTS_MIN <= Limits.MAX_ATTEMPTS_DEFAULT);
        assertTrue(Limits.MAX_ATTEMPTS_DEFAULT <= Limits.MAX_ATTEMPTS_MAX);
        assertTrue(0 < Limits.STALL_MS_MIN && Limits.STALL_MS_MIN < Limits.STALL_MS_MAX);
        assertTrue(Limits.STALL_MS_MAX <= Limits.DELAY_MS_MAX);
        assertTrue(1 <= Limits.IDEMPOTENCY_KEYS_MAX_DEFAULT);
    }

    @Test
    void droppingOldIdempotencyKeysOutrunsAddingThem() {
        // Each entry adds at most one key, so dropping two or more per entry shrinks an
        // over-full table even while every entry carries a new key.
        assertTrue(Limits.IDEMPOTENCY_DROPS_PER_ENTRY_MAX >= 2);
    }

    @Test
    void activeFormIsBoundLikeTheSubjectItRephrases() {
        assertEquals(Limits.SUBJECT_CHARS_MAX, Limits.ACTIVE_FORM_CHARS_MAX);
    }

    @Test
    void historyKeepsAtLeastATasksFirstAndLastEvents() {
        assertTrue(Limits.HISTORY_EVENTS_PER_TASK_MAX >= 2);
    }
}
