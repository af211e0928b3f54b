package dev.baton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Error answers become exceptions whose type says what to do and whose getters carry details. */
class ErrorMappingTest {
    @Test
    void alreadyClaimedIsAConflictNamingTheOwner() {
        RefusedException e = BatonClient.refused(409, """
                {"error": {"code": "already_claimed", "message": "task q#1 is claimed",
                 "owner": "agent:other"}}""");
        assertInstanceOf(ConflictException.class, e);
        assertEquals(409, e.status());
        assertEquals(RefusedException.ALREADY_CLAIMED, e.code());
        assertEquals("agent:other", e.owner());
        assertEquals("task q#1 is claimed", e.details().get("message").asText());
    }

    @Test
    void blockedAndResourceConflictCarryTheirTaskIds() {
        RefusedException blocked = BatonClient.refused(409,
                "{\"error\": {\"code\": \"blocked\", \"message\": \"m\", \"blockedBy\": [1, 2]}}");
        assertEquals(List.of(1L, 2L), blocked.blockedBy());
        RefusedException conflict = BatonClient.refused(409, "{\"error\": {\"code\": "
                + "\"resource_conflict\", \"message\": \"m\", \"conflicts\": [5]}}");
        assertEquals(List.of(5L), conflict.conflicts());
        assertEquals(List.of(), conflict.blockedBy());
        assertNull(conflict.owner());
    }

    @Test
    void notFoundAndInvalidArgumentAreRefusals() {
        assertInstanceOf(NotFoundException.class, BatonClient.refused(404,
                "{\"error\": {\"code\": \"not_found\", \"message\": \"no task\"}}"));
        RefusedException invalid = BatonClient.refused(400,
                "{\"error\": {\"code\": \"invalid_argument\", \"message\": \"unknown field\"}}");
        assertEquals(RefusedException.class, invalid.getClass());
        assertEquals("invalid_argument", invalid.code());
    }

    @Test
    void anAnswerThatIsNotTheContractsErrorStillGetsACode() {
        RefusedException e = BatonClient.refused(403, "<html>go away</html>");
        assertEquals("http_403", e.code());
        assertEquals(403, e.status());
    }
}
