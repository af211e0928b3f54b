package dev.baton.server.cli;

import dev.baton.server.TestCluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command of the CLI against a real three-node cluster: its human line and exit code,
 * {@code --json}, the refusals (exit 1), and an unreachable cluster (exit 3). Each test works
 * in a queue of its own.
 */
class CliCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static CliRunner baton;

    @BeforeAll
    static void start() {
        cluster = TestCluster.started(dir.resolve("cluster"), 3);
        baton = new CliRunner(cluster.servers(), dir);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static CliRunner.Result ok(String... args) {
        CliRunner.Result r = baton.run(args);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        return r;
    }

    private static void assertMatches(String regex, String line) {
        assertTrue(line.matches(regex), () -> "\"" + line + "\" does not match " + regex);
    }

    @Test
    void aDependencyChainIsListedBlockedUntilItsBlockerCompletes() {
        // Two tasks, the second waiting on the first.
        assertEquals("task #1 · status pending\n",
                ok("create", "Review auth module", "-q", "chain").out());
        assertEquals("task #2 · status pending\n",
                ok("create", "Ship the fix", "--blocked-by", "1", "-q", "chain").out());
        assertEquals(List.of("#1 [pending] Review auth module",
                "#2 [pending] Ship the fix [blocked by #1]"), ok("list", "-q", "chain").lines());

        // An agent claims the first: the list shows its owner.
        String claimed = ok("claim", "1", "--agent", "sec", "-q", "chain").out();
        assertMatches("✓ claimed #1 by sec · token \\d+ · lease 30s\n", claimed);
        assertEquals(List.of("#1 [in_progress] Review auth module (owner: sec)",
                "#2 [pending] Ship the fix [blocked by #1]"), ok("list", "-q", "chain").lines());

        // It completes it (the CLI finds its token): the second is unblocked, and the
        // default listing no longer shows the completed one; --all does.
        assertEquals("✓ completed #1\n",
                ok("complete", "1", "--result", "fine", "--agent", "sec", "-q", "chain").out());
        assertEquals(List.of("#2 [pending] Ship the fix"), ok("list", "-q", "chain").lines());
        assertEquals(List.of("#1 [completed] Review auth module", "#2 [pending] Ship the fix"),
                ok("list", "--all", "-q", "chain").lines());
        assertEquals(List.of("#1 [completed] Review auth module"),
                ok("list", "--status", "completed,failed", "-q", "chain").lines());
        assertEquals(List.of("#2 [pending] Ship the fix"),
                ok("list", "--ready", "-q", "chain").lines());
    }

    @Test
    void showPrintsTheFieldsThenTheHistory() {
        ok("create", "Triage flaky deploy", "--priority", "2", "--label", "team=infra",
                "--description", "first line\nsecond line", "-q", "show");
        ok("claim", "1", "--agent", "ops", "-q", "show");
        List<String> lines = ok("show", "1", "-q", "show").lines();
        assertEquals("task #1 · Triage flaky deploy", lines.get(0));
        assertTrue(lines.contains("  queue        show"), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.matches(
                "  status       in_progress · owner ops · token \\d+")), lines::toString);
        assertTrue(lines.contains("  priority     2"), lines::toString);
        assertTrue(lines.contains("  labels       team=infra"), lines::toString);
        assertTrue(lines.contains("  description  first line"), lines::toString);
        assertTrue(lines.contains("               second line"), lines::toString);
        assertTrue(lines.contains("  attempts     0 of 5"), lines::toString);
        int history = lines.indexOf("history");
        assertMatches("  \\S+Z  created", lines.get(history + 1));
        assertMatches("  \\S+Z  claimed by ops · token \\d+", lines.get(history + 2));
        assertEquals(history + 3, lines.size());
    }

    @Test
    void everyOwnerCallPrintsWhereTheTaskIsNow() {
        String q = "owner";
        ok("create", "Flaky job", "--max-attempts", "3", "-q", q);
        assertMatches("✓ claimed #1 by w1 · token \\d+ · lease 45s\n",
                ok("claim", "--next", "--ttl", "45s", "--agent", "w1", "-q", q).out());
        assertEquals("✓ failed #1 · attempt 1 of 3 · pending again\n",
                ok("fail", "1", "--reason", "timeout", "--agent", "w1", "-q", q).out());
        ok("claim", "1", "--agent", "w1", "-q", q);
        assertEquals("✓ released #1 · status pending\n",
                ok("release", "1", "--agent", "w1", "-q", q).out());

        // A handoff needs a live receiver: w2 pulses first.
        ok("claim", "1", "--agent", "w1", "-q", q);
        assertEquals("✓ pulse w2 · lease 1m · holds nothing · new session\n",
                ok("pulse", "--ttl", "1m", "--agent", "w2").out());
        assertMatches("✓ handed off #1 to w2 · token \\d+\n",
                ok("handoff", "1", "--to", "w2", "--agent", "w1", "-q", q).out());
        assertEquals("✓ pulse w2 · lease 1m · holds owner#1\n",
                ok("pulse", "--ttl", "1m", "--agent", "w2").out());
        assertTrue(ok("agents").lines().stream().anyMatch(l -> l.matches(
                "w2 · lease 1m · expires in \\d+s · holds owner#1")));
        assertEquals("✓ failed #1 · attempt 2 of 3 · status failed\n", ok("fail", "1",
                "--reason", "gave up", "--no-retry", "--agent", "w2", "-q", q).out());

        // Changing and deleting.
        ok("create", "Second", "-q", q);
        assertEquals("✓ updated #2 · status pending · blocked by #1\n", ok("update", "2",
                "--priority", "4", "--subject", "Second, renamed", "--add-blocked-by", "1",
                "-q", q).out());
        assertEquals("✓ updated #2 · status pending\n",
                ok("update", "2", "--remove-blocked-by", "1", "-q", q).out());
        assertEquals("✓ deleted #2\n", ok("delete", "2", "-q", q).out());
        assertEquals(List.of("#1 [failed] Flaky job", "#2 [deleted] Second, renamed"),
                ok("list", "--all", "-q", q).lines());
        List<String> queues = ok("queues").lines();
        assertEquals("QUEUE", queues.get(0).split(" +")[0]);
        assertTrue(queues.stream().anyMatch(l -> l.matches("owner +0 +0 +0 +0 +1")),
                queues::toString);
    }

    @Test
    void jsonPrintsTheApisAnswerAsOneDocument() throws IOException {
        String q = "json";
        JsonNode created = JSON.readTree(ok("create", "Parse me", "--json", "-q", q).out());
        assertEquals(1, created.path("id").asInt());
        assertEquals("pending", created.path("status").asText());
        assertTrue(created.has("createdAt"));
        JsonNode claim = JSON.readTree(ok("--json", "claim", "1", "--agent", "j", "-q", q).out());
        assertEquals("in_progress", claim.path("task").path("status").asText());
        assertTrue(claim.path("token").isNumber());
        JsonNode list = JSON.readTree(ok("list", "-q", q, "--json").out());
        assertEquals(1, list.path("tasks").size());
        JsonNode show = JSON.readTree(ok("show", "1", "-q", q, "--json").out());
        assertEquals("j", show.path("task").path("owner").asText());
        assertEquals("claimed", show.path("history").get(1).path("type").asText());
        JsonNode cluster = JSON.readTree(ok("cluster", "status", "--json").out());
        assertEquals(3, cluster.path("nodes").size());
        CliRunner.Result none = baton.run("claim", "--next", "--json", "-q", "json-empty");
        assertEquals(1, none.code());
        assertEquals("{\"claims\":[]}", none.out().trim());
        // A refusal is an answer too: its error document on stdout, the reason on stderr.
        CliRunner.Result taken = baton.run("claim", "1", "--agent", "k", "-q", q, "--json");
        assertEquals(1, taken.code());
        JsonNode error = JSON.readTree(taken.out()).path("error");
        assertEquals("already_claimed", error.path("code").asText(), taken::toString);
        assertEquals("j", error.path("owner").asText(), taken::toString);
        assertTrue(taken.err().endsWith("(already_claimed)\n"), taken::toString);
    }

    @Test
    void refusedRequestsExitOneWithTheReasonOnOneLine() {
        String q = "refused";
        ok("create", "Contested", "-q", q);
        ok("claim", "1", "--agent", "agent:x", "-q", q);

        CliRunner.Result taken = baton.run("claim", "1", "--agent", "agent:y", "-q", q);
        assertEquals(1, taken.code());
        assertEquals("", taken.out());
        assertEquals("baton: task refused#1 is already claimed by agent:x (already_claimed)\n",
                taken.err());

        CliRunner.Result stale = baton.run("complete", "1", "--claim-token", "999999", "-q",
                q);
        assertEquals(1, stale.code());
        assertTrue(stale.err().endsWith("(stale_token); the claim ended (released, expired or"
                + " handed off): claim the task again\n"), stale::toString);

        CliRunner.Result notYours = baton.run("complete", "1", "--agent", "agent:y", "-q", q);
        assertEquals(1, notYours.code());
        assertEquals("baton: task #1 is claimed by agent:x, not by agent:y; run as its owner"
                + " (--agent agent:x) or give --claim-token\n", notYours.err());

        CliRunner.Result missing = baton.run("show", "99", "-q", q);
        assertEquals(1, missing.code());
        assertEquals("baton: task refused#99 does not exist (not_found)\n", missing.err());

        CliRunner.Result cycle = baton.run("update", "1", "--add-blocked-by", "1", "-q", q);
        assertEquals(1, cycle.code());
        assertTrue(cycle.err().endsWith("(cycle)\n"), cycle::toString);

        CliRunner.Result badBlocker = baton.run("create", "x", "--blocked-by", "42", "-q", q);
        assertEquals(1, badBlocker.code());
        assertTrue(badBlocker.err().endsWith("(invalid_argument)\n"), badBlocker::toString);

        CliRunner.Result notLive = baton.run("handoff", "1", "--to", "nobody", "--agent",
                "agent:x", "-q", q);
        assertEquals(1, notLive.code());
        assertTrue(notLive.err().contains("(agent_not_live)"), notLive::toString);

        CliRunner.Result nothing = baton.run("claim", "--next", "--wait", "200ms", "-q",
                "refused-empty");
        assertEquals(1, nothing.code());
        assertEquals("baton: nothing to claim in queue refused-empty after waiting 200ms: no"
                + " ready task\n", nothing.err());
    }

    @Test
    void usageErrorsExitTwoWithoutCallingTheCluster() {
        CliRunner.Result r = baton.run("fail", "1", "-q", "usage");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("baton: fail needs --reason: say what went wrong\nusage:"
                + " baton fail ID --reason R"), r::toString);
        assertEquals(2, baton.run("update", "1").code());
        assertEquals(2, baton.run("list", "--status", "done").code());
        assertEquals(2, baton.run("pulse", "--ttl", "10s", "--every", "10s").code());
    }

    @Test
    void anUnreachableClusterExitsThreeAndSaysWhatWasTried() throws IOException {
        String closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = "127.0.0.1:" + s.getLocalPort();
        }
        // A closed loopback port refuses at once; the timeout only has to outlast a busy
        // machine's scheduling, or the refusal is reported as a timeout.
        CliRunner.Result r = baton.run("list", "--server", closed, "--timeout", "5s");
        assertEquals(3, r.code());
        assertEquals("", r.out());
        assertEquals("baton: cannot reach the cluster at " + closed + " (--server): connection"
                + " refused; start one with bin/baton dev, or point --server or BATON_SERVER at"
                + " a running node\n", r.err());

        // With a dead server first in the list, the next one answers.
        assertEquals(0, baton.run("queues", "--server", closed + "," + cluster.servers())
                .code());
    }

    @Test
    void clusterStatusIsATableOfNodesRolesIndexesAndLag() {
        List<String> lines = ok("cluster", "status").lines();
        assertMatches("leader n\\d · term \\d+", lines.get(0));
        assertMatches("NODE +ROLE +TERM +COMMIT +APPLIED +LAG +HTTP +RAFT", lines.get(1));
        assertEquals(5, lines.size(), lines::toString);
        assertEquals(1, lines.stream().filter(l -> l.matches(
                "n\\d +leader +\\d+ +\\d+ +\\d+ +0 +127\\.0\\.0\\.1:\\d+ +127\\.0\\.0\\.1:\\d+"))
                .count(), lines::toString);
        assertEquals(2, lines.stream().filter(l -> l.matches(
                "n\\d +follower +\\d+ +\\d+ +\\d+ +\\d+ +127\\.0\\.0\\.1:\\d+ +127\\.0\\.0\\.1:\\d+"))
                .count(), lines::toString);

        assertMatches("✓ snapshot at index \\d+\n", ok("cluster", "snapshot").out());
        String follower = lines.stream().filter(l -> l.contains("follower")).findFirst()
                .orElseThrow().split(" ")[0];
        assertMatches("✓ leader " + follower + " · term \\d+\n",
                ok("cluster", "leader", follower).out());

        CliRunner.Result unknown = baton.run("cluster", "remove", "n9");
        assertEquals(1, unknown.code());
        assertEquals("baton: no member n9 in this cluster (not_found)\n", unknown.err());
        CliRunner.Result moved = baton.run("cluster", "add", "n1", "127.0.0.1:1", "127.0.0.1:2");
        assertEquals(1, moved.code());
        assertTrue(moved.err().endsWith("(invalid_argument)\n"), moved::toString);
        assertEquals(2, baton.run("cluster", "add", "n4").code());
    }

    @Test
    void benchDrainsEveryTaskExactlyOnceThroughEachDriver() throws IOException {
        List<List<String>> drivers = List.of(List.of(), List.of("--driver", "client"),
                List.of("--driver", "client", "--http", "jdk"));
        for (List<String> driver : drivers) {
            for (String scenario : List.of("drain", "pipeline", "single")) {
                List<String> args = new java.util.ArrayList<>(List.of("bench", "--scenario",
                        scenario, "--workers", "4", "--tasks", "61", "--warmup", "0", "--json"));
                args.addAll(driver);
                CliRunner.Result r = baton.run(args.toArray(String[]::new));
                assertEquals(0, r.code(), r::toString);
                JsonNode report = JSON.readTree(r.out());
                assertEquals(61, report.path("tasksClaimed").asInt(), r::toString);
                assertEquals(61, report.path("operations").path("complete").path("count")
                        .asInt(), r::toString);
                assertEquals(0, report.path("doubleClaims").asInt(), r::toString);
                assertTrue(report.path("everyTaskClaimedExactlyOnce").asBoolean(), r::toString);
                assertEquals(0, report.path("failures").size(), r::toString);
            }
        }
        assertEquals(2, baton.run("bench", "--http", "curl").code());
        assertEquals(2, baton.run("bench", "--driver", "threads").code());
    }

    @Test
    void benchWithNoServerToReachExitsThree() {
        CliRunner.Result r = new CliRunner("127.0.0.1:" + TestCluster.freePort(), dir)
                .run("bench", "--tasks", "5");
        assertEquals(3, r.code(), r::toString);
        assertTrue(r.err().startsWith("baton bench: cannot reach the cluster"), r::toString);
    }
}
