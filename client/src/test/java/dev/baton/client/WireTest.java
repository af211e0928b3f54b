package dev.baton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The JSON of API.md in and out: answers map onto the records, requests carry what was set. */
class WireTest {
    /** The contract's task document, filled in, plus a field a newer server might add. */
    private static final String TASK = """
            {"queue": "default", "id": 41,
             "subject": "Triage flaky deploy",
             "description": "", "activeForm": "Triaging flaky deploy",
             "status": "in_progress",
             "ready": false,
             "owner": "agent:run_7a1", "token": 1234,
             "priority": 2,
             "blockedBy": [], "blocks": [43],
             "resources": ["src/api/**"],
             "requires": ["python"],
             "labels": {"team": "infra"},
             "key": "triage-1",
             "attempts": 1, "maxAttempts": 5, "stallMs": 600000,
             "notBefore": null,
             "progress": {"note": "half", "percent": 50, "at": "2026-11-22T10:16:00.500Z"},
             "result": null, "failure": null,
             "createdAt": "2026-11-22T10:15:30.123Z", "updatedAt": "2026-11-22T10:16:00.500Z",
             "claimedAt": "2026-11-22T10:15:45.000Z", "completedAt": null,
             "shinyNewField": {"nested": [1, 2]}}""";

    @Test
    void aContractTaskDocumentMapsOntoEveryFieldOfTask() {
        Task t = Wire.read(TASK, Task.class);
        assertEquals("default", t.queue());
        assertEquals(41, t.id());
        assertEquals("Triage flaky deploy", t.subject());
        assertEquals("", t.description());
        assertEquals("Triaging flaky deploy", t.activeForm());
        assertEquals(TaskStatus.IN_PROGRESS, t.status());
        assertFalse(t.ready());
        assertEquals("agent:run_7a1", t.owner());
        assertEquals(1234L, t.token());
        assertEquals(2, t.priority());
        assertEquals(List.of(), t.blockedBy());
        assertEquals(List.of(43L), t.blocks());
        assertEquals(List.of("src/api/**"), t.resources());
        assertEquals(List.of("python"), t.requires());
        assertEquals(Map.of("team", "infra"), t.labels());
        assertEquals("triage-1", t.key());
        assertEquals(1, t.attempts());
        assertEquals(5, t.maxAttempts());
        assertEquals(600_000L, t.stallMs());
        assertNull(t.notBefore());
        assertEquals(new Progress("half", 50, Instant.parse("2026-11-22T10:16:00.500Z")),
                t.progress());
        assertNull(t.result());
        assertNull(t.failure());
        assertEquals(Instant.parse("2026-11-22T10:15:30.123Z"), t.createdAt());
        assertEquals(Instant.parse("2026-11-22T10:16:00.500Z"), t.updatedAt());
        assertEquals(Instant.parse("2026-11-22T10:15:45Z"), t.claimedAt());
        assertNull(t.completedAt());
    }

    @Test
    void anAnswerReadsTheSameStraightFromItsTextAsThroughItsTree() {
        // The typed calls read the text; the command line's --json reads the tree it printed.
        assertEquals(Wire.read(TASK, Task.class),
                BatonClient.decode(Wire.parse(TASK), Task.class));
    }

    @Test
    void anAnswerThatIsNotJsonOrDoesNotFitIsAClearError() {
        BatonException notJson = assertThrows(BatonException.class,
                () -> Wire.read("<html>502 Bad Gateway</html>", Task.class));
        assertTrue(notJson.getMessage().contains("not JSON"), notJson.getMessage());
        BatonException cutShort = assertThrows(BatonException.class,
                () -> Wire.read("{\"task\": {\"id\": 41, \"blockedBy\": [1, 2,",
                        ClaimResult.class));
        assertTrue(cutShort.getMessage().contains("not JSON"), cutShort.getMessage());
        BatonException misfit = assertThrows(BatonException.class,
                () -> Wire.read("{\"id\": \"forty-one\"}", Task.class));
        assertTrue(misfit.getMessage().contains("as Task"), misfit.getMessage());
    }

    @Test
    void theContractsTimesReadAsTheGeneralParserReadsThem() {
        // Every year the fast path takes (0 to 9999), written as the contract writes times.
        DateTimeFormatter contract = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(ZoneOffset.UTC);
        Random random = new Random(7);
        long from = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochMilli(from + (long) (random.nextDouble() * (to - from)));
            String text = contract.format(t);
            assertEquals(t, Wire.instant(text), text);
            assertEquals(OffsetDateTime.parse(text).toInstant(), Wire.instant(text), text);
        }
        for (String text : List.of("2024-02-29T23:59:59.999Z", "2000-02-29T00:00:00.000Z",
                "2026-12-31T23:59:59.000Z", "0000-01-01T00:00:00.000Z",
                "1969-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z", "2026-11-22T10:15:30Z",
                "2026-11-22T12:15:30.123+02:00", "2026-11-22T10:15:30.123456Z",
                "2026-11-22t10:15:30.123z")) {
            assertEquals(OffsetDateTime.parse(text).toInstant(), Wire.instant(text), text);
        }
        for (String text : List.of("2023-02-29T00:00:00.000Z", "2100-02-29T00:00:00.000Z",
                "2026-04-31T00:00:00.000Z", "2026-13-01T00:00:00.000Z",
                "2026-00-10T00:00:00.000Z", "2026-11-22T24:00:00.000Z",
                "2026-11-22T10:60:00.000Z", "2026-11-22T10:15:60.000Z",
                "2026-11-2xT10:15:30.123Z", "2026-11-22T10:15:30.12xZ")) {
            assertThrows(DateTimeParseException.class, () -> Wire.instant(text), text);
        }
    }

    @Test
    void aStatusFromANewerServerReadsAsUnknownAndMissingListsAsEmpty() {
        Task t = Wire.read("{\"queue\": \"q\", \"id\": 1, \"status\": \"archived\"}",
                Task.class);
        assertEquals(TaskStatus.UNKNOWN, t.status());
        assertEquals(List.of(), t.blockedBy());
        assertEquals(Map.of(), t.labels());
        assertThrows(UnsupportedOperationException.class, () -> t.blocks().add(1L));
    }

    @Test
    void historyQueuesPulsesAndClaimsMapOntoTheirRecords() {
        TaskEvent e = Wire.read("""
                {"index": 17, "at": "2026-11-22T10:15:30.123Z", "type": "updated",
                 "agent": null, "token": null, "reason": null, "fields": ["priority"]}""",
                TaskEvent.class).of("q", 3);
        assertEquals(new TaskEvent("q", 3, 17, Instant.parse("2026-11-22T10:15:30.123Z"),
                TaskEvent.UPDATED, null, null, null, List.of("priority")), e);

        QueueInfo queue = Wire.read("""
                {"name": "default", "counts": {"pending": 3, "ready": 2, "in_progress": 1,
                 "completed": 7, "failed": 0}}""", QueueInfo.class);
        assertEquals(new QueueInfo("default", new QueueInfo.Counts(3, 2, 1, 7, 0)), queue);

        PulseResult pulse = Wire.read("""
                {"agent": "a", "ttlMs": 30000, "expiresAt": "2026-11-22T10:16:00.000Z",
                 "revived": false, "claims": [{"queue": "q", "id": 4, "token": 9}]}""",
                PulseResult.class);
        assertTrue(pulse.holds("q", 4, 9));
        assertFalse(pulse.holds("q", 4, 8));

        ClaimResult claim = Wire.read("{\"task\": " + TASK
                + ", \"token\": 1234, \"reclaimed\": true}", ClaimResult.class);
        assertEquals(1234, claim.token());
        assertTrue(claim.reclaimed());
        assertEquals(41, claim.task().id());
    }

    @Test
    void aNewTaskSendsOnlyTheFieldsItSetAndNeverChangesOnceMade() {
        NewTask base = NewTask.of("Ship it");
        NewTask full = base.priority(2).blockedBy(1, 2).resources("src/**").requires("java")
                .label("team", "infra").label("tier", "1").key("k").maxAttempts(3)
                .stall(Duration.ofMinutes(10)).delay(Duration.ofSeconds(30))
                .description("d").activeForm("Shipping it");
        assertEquals("{\"subject\":\"Ship it\"}", base.toString());
        JsonNode json = full.toJson();
        assertEquals(2, json.get("priority").asInt());
        assertEquals("[1,2]", json.get("blockedBy").toString());
        assertEquals("{\"team\":\"infra\",\"tier\":\"1\"}", json.get("labels").toString());
        assertEquals(600_000, json.get("stallMs").asLong());
        assertEquals(30_000, json.get("delayMs").asLong());
        assertEquals("2030-01-01T00:00:00.000Z", base.notBefore(Instant.parse(
                "2030-01-01T00:00:00Z")).toJson().get("notBefore").asText());
    }

    @Test
    void anUpdateCanClearNotBeforeWithAnExplicitNull() {
        TaskUpdate u = TaskUpdate.create().priority(4).addBlockedBy(7).clearNotBefore();
        assertEquals("{\"priority\":4,\"addBlockedBy\":[7],\"notBefore\":null}", u.toString());
    }

    @Test
    void aQueryBecomesTheContractsQueryString() {
        assertEquals("", TaskQuery.all().toQueryString());
        assertEquals("?status=pending,in_progress&owner=agent%3Aa%2Fb&ready=true"
                        + "&label=team%3Ainfra&label=tier%3A1&afterId=40&limit=50",
                TaskQuery.all().status(TaskStatus.PENDING, TaskStatus.IN_PROGRESS)
                        .owner("agent:a/b").ready().label("team", "infra").label("tier", "1")
                        .afterId(40).limit(50).toQueryString());
    }

    @Test
    void aClaimNextSendsItsWaitInMilliseconds() {
        ClaimNext c = ClaimNext.as("agent:w1").count(4).waitFor(Duration.ofSeconds(20))
                .capabilities("python").labels(Map.of("team", "sec"));
        assertEquals("{\"agent\":\"agent:w1\",\"count\":4,\"waitMs\":20000,"
                + "\"capabilities\":[\"python\"],\"labels\":{\"team\":\"sec\"}}", c.toString());
        assertEquals(Duration.ofSeconds(20), c.waitDuration());
        assertEquals(1, ClaimNext.as("a").count());
    }

    @Test
    void anAgentNameIsOnePathSegmentWithItsSlashEncoded() {
        assertEquals("agent:run_7a1", BatonClient.segment("agent:run_7a1"));
        assertEquals("team%2Fagent@host", BatonClient.segment("team/agent@host"));
        assertEquals("caf%C3%A9%20x", BatonClient.segment("café x"));
    }
}
