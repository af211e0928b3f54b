package dev.baton.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task API of ../shared/API.md, called as a user would, against one three-node cluster.
 * Each test works in its own queue so that tests do not see each other's tasks.
 */
class HttpContractTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.started(dir, 3, 100_000);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private static String tasks(int node, String queue) {
        return cluster.url(node) + "/v1/queues/" + queue + "/tasks";
    }

    private static JsonNode create(String queue, String body) {
        Http.Reply r = Http.post(tasks(0, queue), body);
        assertEquals(201, r.status(), r.body().toString());
        return r.body();
    }

    @Test
    void badRequestsGetTheContractsCodesAndChangeNothing() {
        String q = "bad-input";
        create(q, "{\"subject\": \"first\"}");
        String countsBefore = queueCounts(q);
        String big = "x".repeat(64 * 1024 + 1);
        record Case(String method, String path, String body, int status, String code) {
        }
        List<Case> cases = List.of(
                new Case("POST", "", "{\"subject\": ", 400, "invalid_argument"),
                new Case("POST", "", "not json", 400, "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\"} xyz", 400, "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\"}}", 400, "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\"} {}", 400, "invalid_argument"),
                new Case("POST", "", "[\"subject\"]", 400, "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"priorty\": 1}", 400,
                        "invalid_argument"),
                new Case("POST", "", "{\"subject\": 7}", 400, "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"priority\": \"high\"}", 400,
                        "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"priority\": 1.5}", 400,
                        "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"labels\": [\"a\"]}", 400,
                        "invalid_argument"),
                new Case("POST", "", "{}", 400, "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"   \"}", 400, "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"" + "s".repeat(501) + "\"}", 400,
                        "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"description\": \"" + big + "\"}",
                        400, "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"maxAttempts\": 1001}", 400,
                        "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"blockedBy\": [42]}", 400,
                        "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"notBefore\": \"soon\"}", 400,
                        "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"delayMs\": 5, "
                        + "\"notBefore\": \"2030-01-01T00:00:00.000Z\"}", 400, "invalid_argument"),
                new Case("PATCH", "/1", "{\"addBlockedBy\": [1]}", 409, "cycle"),
                new Case("PATCH", "/1", "{\"status\": \"completed\"}", 400, "invalid_argument"),
                new Case("PATCH", "/99", "{\"priority\": 1}", 404, "not_found"),
                new Case("GET", "/99", "", 404, "not_found"),
                new Case("GET", "/0", "", 400, "invalid_argument"),
                new Case("GET", "/abc", "", 400, "invalid_argument"),
                new Case("DELETE", "/99", "", 404, "not_found"),
                new Case("PUT", "/1", "{}", 405, "method_not_allowed"),
                new Case("GET", "?limit=0", "", 400, "invalid_argument"),
                new Case("GET", "?limit=1001", "", 400, "invalid_argument"),
                new Case("GET", "?status=done", "", 400, "invalid_argument"),
                new Case("GET", "?colour=red", "", 400, "invalid_argument"),
                // The method is judged before the body: 405, not the body's 400.
                new Case("PUT", "/1/claim", "", 405, "method_not_allowed"),
                new Case("PATCH", "/1/complete", "{}", 405, "method_not_allowed"),
                // Half a surrogate pair has no UTF-8 form; it was stored as "?".
                new Case("POST", "", "{\"subject\": \"a\\ud800b\"}", 400, "invalid_argument"),
                new Case("POST", "", "{\"subject\": \"x\", \"labels\": {\"\\udc00\": \"v\"}}",
                        400, "invalid_argument"),
                // Times are written back with four-digit years.
                new Case("POST", "", "{\"subject\": \"x\", "
                        + "\"notBefore\": \"+99999-01-01T00:00:00Z\"}", 400, "invalid_argument"));
        for (Case c : cases) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tasks(1, q) + c.path))
                    .method(c.method, HttpRequest.BodyPublishers.ofString(c.body));
            Http.Reply r = Http.send(request);
            String what = c.method + " " + c.path + " " + abbreviate(c.body);
            assertEquals(c.status, r.status(), what + " -> " + r.body());
            assertEquals(c.code, r.code(), what + " -> " + r.body());
            assertFalse(r.body().path("error").path("message").asText().isBlank(), what);
        }
        // A bad percent-escape anywhere in the URL (Java's own URI refuses to send one).
        for (String target : List.of("/v1/queues/%ZZ/tasks", "/v1/queues/" + q + "/tasks/%ZZ",
                "/v1/queues/" + q + "/tasks?status=%ZZ", "/v1/queues/" + q + "/tasks/1%",
                "/v1/agents/%ZZ/pulse")) {
            String method = target.endsWith("pulse") ? "POST" : "GET";
            Http.Reply r = Http.raw(cluster.address(1), method, target);
            assertEquals(400, r.status(), method + " " + target + " -> " + r.body());
            assertEquals("invalid_argument", r.code(), method + " " + target);
        }
        // Nothing changed: same counts, and the next task still gets id 2.
        assertEquals(countsBefore, queueCounts(q));
        assertEquals(2, create(q, "{\"subject\": \"second\"}").get("id").asLong());
    }

    @Test
    void aBodyOverOneMebibyteGets413() {
        String huge = "{\"subject\": \"" + "x".repeat(1024 * 1024) + "\"}";
        Http.Reply r = Http.post(tasks(2, "huge"), huge);
        assertEquals(413, r.status());
        assertEquals("too_large", r.code());
        assertEquals(404, Http.get(tasks(2, "huge") + "/1").status());
    }

    @Test
    void aBadQueueNameIsRefused() {
        Http.Reply r = Http.post(cluster.url(0) + "/v1/queues/Not_Valid/tasks",
                "{\"subject\": \"x\"}");
        assertEquals(400, r.status());
        assertEquals("invalid_argument", r.code());
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyThroughAnotherNodeReturnsTheFirstAnswer() {
        String body = "{\"subject\": \"exactly once\"}";
        Http.Reply first = Http.post(tasks(0, "idem"), body, "key-123");
        Http.Reply retry = Http.post(tasks(2, "idem"), body, "key-123");
        assertEquals(201, first.status());
        assertEquals(201, retry.status());
        assertEquals(first.body(), retry.body());
        assertEquals(1, Http.get(tasks(1, "idem")).body().get("tasks").size());

        // The same key for a different request is a mistake, not a replay.
        Http.Reply misuse = Http.post(tasks(1, "idem"), "{\"subject\": \"other\"}", "key-123");
        assertEquals(400, misuse.status());
        assertEquals(1, Http.get(tasks(1, "idem")).body().get("tasks").size());
    }

    @Test
    void aTakenKeyAnswers200WithTheExistingTaskAndCreatesNothing() {
        JsonNode first = create("dedupe", "{\"subject\": \"build\", \"key\": \"build-42\"}");
        Http.Reply again = Http.post(tasks(1, "dedupe"),
                "{\"subject\": \"build again\", \"key\": \"build-42\"}");
        assertEquals(200, again.status());
        assertEquals(first.get("id"), again.body().get("id"));
        assertEquals("build", again.body().get("subject").asText());
        assertEquals(1, Http.get(tasks(2, "dedupe")).body().get("tasks").size());
    }

    @Test
    void blockersUnblockTheirDependentsWhenDeletedAndCyclesAreRefused() {
        String q = "deps";
        create(q, "{\"subject\": \"a\"}");
        create(q, "{\"subject\": \"b\"}");
        JsonNode c = create(q, "{\"subject\": \"c\", \"blockedBy\": [1, 2]}");
        assertEquals("[1,2]", c.get("blockedBy").toString());
        assertFalse(c.get("ready").asBoolean());
        assertEquals("[3]", Http.get(tasks(1, q) + "/1").body().get("blocks").toString());

        // c waits on a; a waiting on c would close a cycle.
        Http.Reply cycle = Http.patch(tasks(2, q) + "/1", "{\"addBlockedBy\": [3]}");
        assertEquals(409, cycle.status());
        assertEquals("cycle", cycle.code());
        assertEquals("[]", Http.get(tasks(0, q) + "/1").body().get("blockedBy").toString());

        assertEquals(200, Http.delete(tasks(0, q) + "/1").status());
        assertEquals("[2]", Http.get(tasks(1, q) + "/3").body().get("blockedBy").toString());
        JsonNode unblocked = Http.patch(tasks(1, q) + "/3", "{\"removeBlockedBy\": [2]}").body();
        assertEquals("[]", unblocked.get("blockedBy").toString());
        assertTrue(unblocked.get("ready").asBoolean());
        assertEquals("[]", Http.get(tasks(2, q) + "/2").body().get("blocks").toString());
    }

    @Test
    void aDelayedTaskBecomesReadyWhenItsTimeComesWithoutAnyOtherWrite() {
        JsonNode t = create("later", "{\"subject\": \"wait\", \"delayMs\": 1500}");
        assertFalse(t.get("ready").asBoolean());
        assertNotNull(t.get("notBefore").textValue());
        // The leader commits a tick once notBefore passes; every node then reports it ready.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                Http.get(tasks(2, "later") + "/1").body().get("ready").asBoolean());
        JsonNode queue = Http.get(cluster.url(1) + "/v1/queues").body();
        for (JsonNode entry : queue.get("queues")) {
            if (entry.get("name").asText().equals("later")) {
                assertEquals(1, entry.get("counts").get("ready").asLong());
            }
        }
    }

    @Test
    void listsPageInIdOrderAndFilter() {
        String q = "paging";
        for (int i = 1; i <= 5; i++) {
            create(q, "{\"subject\": \"t" + i + "\", \"labels\": {\"team\": \""
                    + (i % 2 == 0 ? "even" : "odd") + "\"}}");
        }
        JsonNode page1 = Http.get(tasks(1, q) + "?limit=2").body();
        assertEquals(List.of(1L, 2L), ids(page1));
        assertEquals(2, page1.get("nextAfterId").asLong());
        JsonNode page3 = Http.get(tasks(1, q) + "?limit=2&afterId=4").body();
        assertEquals(List.of(5L), ids(page3));
        assertTrue(page3.get("nextAfterId").isNull());
        assertEquals(List.of(2L, 4L), ids(Http.get(tasks(2, q) + "?label=team:even").body()));
        Http.delete(tasks(0, q) + "/3");
        assertEquals(List.of(3L), ids(Http.get(tasks(0, q) + "?status=deleted").body()));
        assertEquals(List.of(1L, 2L, 4L, 5L),
                ids(Http.get(tasks(0, q) + "?status=pending&ready=true").body()));
    }

    @Test
    void historyRecordsEveryChangeWithItsLogIndexAndLeaderTime() {
        String q = "history";
        JsonNode created = create(q, "{\"subject\": \"draft\"}");
        Http.patch(tasks(1, q) + "/1", "{\"subject\": \"final\", \"priority\": 3}");
        Http.delete(tasks(2, q) + "/1");
        JsonNode events = Http.get(tasks(0, q) + "/1/history").body().get("events");
        assertEquals(3, events.size());
        assertEquals("created", events.get(0).get("type").asText());
        assertEquals(created.get("createdAt"), events.get(0).get("at"));
        assertEquals("updated", events.get(1).get("type").asText());
        assertEquals("[\"subject\",\"priority\"]", events.get(1).get("fields").toString());
        assertEquals("deleted", events.get(2).get("type").asText());
        assertTrue(events.get(0).get("index").asLong() < events.get(1).get("index").asLong());
        assertEquals(404, Http.get(tasks(0, q) + "/2/history").status());
    }

    @Test
    void timestampsAreIsoUtcWithMilliseconds() {
        JsonNode t = create("times", "{\"subject\": \"x\", "
                + "\"notBefore\": \"2030-01-01T00:00:00Z\"}");
        assertEquals("2030-01-01T00:00:00.000Z", t.get("notBefore").asText());
        assertTrue(t.get("createdAt").asText().matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertNull(t.get("claimedAt").textValue());
    }

    @Test
    void everyNodeReportsTheClusterAndItsHealth() {
        for (int i = 0; i < cluster.size(); i++) {
            assertEquals(200, Http.get(cluster.url(i) + "/health/live").status());
            assertEquals(200, Http.get(cluster.url(i) + "/health/ready").status());
        }
        JsonNode view = Http.get(cluster.url(1) + "/v1/cluster").body();
        assertEquals(3, view.get("nodes").size());
        int leaders = 0;
        for (JsonNode n : view.get("nodes")) {
            leaders += n.get("role").asText().equals("leader") ? 1 : 0;
            assertTrue(n.get("appliedIndex").asLong() >= 0);
            assertTrue(n.get("httpAddress").asText().startsWith("127.0.0.1:"));
        }
        assertEquals(1, leaders);
        assertEquals("n" + (cluster.awaitLeader() + 1), view.get("leader").asText());
        assertEquals(404, Http.get(cluster.url(0) + "/v1/nothing-here").status());
    }

    @Test
    void aFollowersAnswersNameTheLeaderAndTheLeadersDoNot() {
        int leader = cluster.awaitLeader();
        int follower = (leader + 1) % cluster.size();

        Http.Reply viaFollower = Http.post(cluster.url(follower) + "/v1/queues/hint/tasks",
                "{\"subject\": \"s\"}");
        Http.Reply viaLeader = Http.post(cluster.url(leader) + "/v1/queues/hint/tasks",
                "{\"subject\": \"s\"}");

        assertEquals(201, viaFollower.status());
        assertEquals(cluster.address(leader),
                viaFollower.raw().headers().firstValue("Baton-Leader").orElse(null));
        assertEquals(201, viaLeader.status());
        assertTrue(viaLeader.raw().headers().firstValue("Baton-Leader").isEmpty());
    }

    private static String queueCounts(String queue) {
        for (JsonNode q : Http.get(cluster.url(0) + "/v1/queues").body().get("queues")) {
            if (q.get("name").asText().equals(queue)) {
                return q.get("counts").toString();
            }
        }
        return null;
    }

    private static List<Long> ids(JsonNode page) {
        List<Long> ids = new java.util.ArrayList<>();
        page.get("tasks").forEach(t -> ids.add(t.get("id").asLong()));
        return ids;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
