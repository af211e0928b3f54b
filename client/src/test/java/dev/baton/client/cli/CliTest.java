package dev.baton.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole command lines through {@link Cli#run} against a fake server: what is sent, what is
 * printed, and the exit code of each kind of outcome. The real cluster's answers are checked
 * by the server module's Cli* integration tests.
 */
class CliTest {
    @TempDir
    Path home;

    private static String deadAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void helpPrintsTheUsageAndSucceeds() {
        TestEnvironment env = new TestEnvironment(home);
        assertEquals(0, env.run("help"));
        assertTrue(env.stdout().startsWith("usage: baton <command> [options]"));
        TestEnvironment one = new TestEnvironment(home);
        assertEquals(0, one.run("complete", "--help"));
        assertEquals("usage: baton complete ID [--result TEXT|-] [--claim-token N]",
                one.stdout().lines().findFirst().orElseThrow());
    }

    @Test
    void aUsageErrorExitsTwoWithTheMistakeAndTheCommandsUsage() {
        TestEnvironment env = new TestEnvironment(home);
        assertEquals(2, env.run("create", "x", "--priorty", "1"));
        assertEquals("baton: unknown option \"--priorty\" for create\nusage: baton create"
                + " SUBJECT", env.stderr().substring(0, env.stderr().indexOf(" [")));
        assertEquals("", env.stdout());
        TestEnvironment unknown = new TestEnvironment(home);
        assertEquals(2, unknown.run("lst"));
        assertEquals("baton: unknown command \"lst\"\nrun 'baton help' for the commands\n",
                unknown.stderr());
        TestEnvironment duration = new TestEnvironment(home);
        assertEquals(2, duration.run("claim", "--next", "--wait", "soon"));
        assertTrue(duration.stderr().startsWith("baton: --wait takes a duration"));
        TestEnvironment bench = new TestEnvironment(home);
        assertEquals(2, bench.run("bench", "--workers", "0"));
        assertTrue(bench.stderr().startsWith("baton bench: --workers must be a number"));
    }

    @Test
    void aMalformedConfigFileExitsTwoNamingTheFile() throws IOException {
        Path file = home.resolve("cli.yaml");
        Files.writeString(file, "queue: [\n");
        TestEnvironment env = new TestEnvironment(home).with("BATON_CONFIG", file.toString());
        assertEquals(2, env.run("list"));
        assertTrue(env.stderr().startsWith("baton: the CLI config " + file + " is not valid"),
                env.stderr());
        assertEquals(1, env.stderr().lines().count());
    }

    @Test
    void anUnreachableClusterExitsThreeNamingTheServersTried() throws IOException {
        String dead = deadAddress();
        TestEnvironment env = new TestEnvironment(home).with("BATON_SERVER", dead);
        assertEquals(3, env.run("list", "--timeout", "300ms"));
        assertEquals("baton: cannot reach the cluster at " + dead + " (BATON_SERVER): connection"
                + " refused; start one with bin/baton dev, or point --server or BATON_SERVER at"
                + " a running node\n", env.stderr());
    }

    @Test
    void aNodeThatAnswers503SaysMoreThanAnotherThatRefusesTheConnection() throws IOException {
        String dead = deadAddress();
        try (FakeServer server = new FakeServer(r -> new FakeServer.Reply(503, """
                {"error": {"code": "unavailable", "message": "the cluster has no leader that can\
                 take this request now; retry (with the same Idempotency-Key for writes)"}}"""))) {
            TestEnvironment env = new TestEnvironment(home)
                    .with("BATON_SERVER", server.address() + "," + dead);
            assertEquals(3, env.run("list", "--timeout", "300ms"));
            assertTrue(env.stderr().startsWith("baton: the cluster at " + server.address()
                    + ", " + dead + " (BATON_SERVER) has no leader: 503 "), env.stderr());
        }
    }

    @Test
    void aRefusedRequestExitsOneWithTheServersSentenceAndCode() {
        try (FakeServer server = new FakeServer(r -> new FakeServer.Reply(409, """
                {"error": {"code": "already_claimed", "owner": "agent:x",
                 "message": "task default#41 is already claimed by agent:x"}}"""))) {
            TestEnvironment env = new TestEnvironment(home);
            assertEquals(1, env.run("claim", "41", "--server", server.address()));
            assertEquals("baton: task default#41 is already claimed by agent:x"
                    + " (already_claimed)\n", env.stderr());
            assertEquals("POST /v1/queues/default/tasks/41/claim {\"agent\":\"ada@box\"}",
                    server.seen().get(0).toString());
        }
    }

    @Test
    void jsonPrintsTheServersAnswerAsItIs() {
        String task = FakeServer.task(41, "s", "pending", null, null, "");
        try (FakeServer server = new FakeServer(r -> new FakeServer.Reply(201, task))) {
            TestEnvironment env = new TestEnvironment(home).with("BATON_SERVER",
                    server.address()).with("BATON_QUEUE", "work");
            assertEquals(0, env.run("--json", "create", "s", "--priority", "2", "--label",
                    "team=infra", "--blocked-by", "1,2", "--delay", "1m"));
            assertTrue(env.stdout().contains("\"newerField\":1"), env.stdout());
            assertEquals(1, env.stdout().lines().count());
            assertEquals("POST /v1/queues/work/tasks {\"subject\":\"s\",\"priority\":2,"
                    + "\"blockedBy\":[1,2],\"labels\":{\"team\":\"infra\"},\"delayMs\":60000}",
                    server.seen().get(0).toString());
        }
    }

    @Test
    void completeFindsTheTokenOfTheAgentsOwnClaim() {
        String owned = FakeServer.task(41, "s", "in_progress", "ada@box", 7L, "");
        String done = FakeServer.task(41, "s", "completed", null, null, "");
        try (FakeServer server = new FakeServer(r -> new FakeServer.Reply(200,
                r.method().equals("GET") ? owned : done))) {
            TestEnvironment env = new TestEnvironment(home).with("BATON_SERVER",
                    server.address());
            assertEquals(0, env.run("complete", "41", "--result", "shipped"));
            assertEquals("✓ completed #41\n", env.stdout());
            assertEquals(List.of("GET /v1/queues/default/tasks/41",
                    "POST /v1/queues/default/tasks/41/complete"
                            + " {\"token\":7,\"result\":\"shipped\"}"),
                    server.seen().stream().map(FakeServer.Seen::toString).toList());
        }
    }

    @Test
    void anOwnerCallOnSomeoneElsesClaimIsNotSent() {
        String theirs = FakeServer.task(41, "s", "in_progress", "agent:x", 7L, "");
        try (FakeServer server = new FakeServer(r -> new FakeServer.Reply(200, theirs))) {
            TestEnvironment env = new TestEnvironment(home).with("BATON_SERVER",
                    server.address());
            assertEquals(1, env.run("release", "41"));
            assertEquals("baton: task #41 is claimed by agent:x, not by ada@box; run as its"
                    + " owner (--agent agent:x) or give --claim-token\n", env.stderr());
            assertEquals(1, server.seen().size());
            TestEnvironment explicit = new TestEnvironment(home).with("BATON_SERVER",
                    server.address());
            assertEquals(0, explicit.run("release", "41", "--claim-token", "7"));
            assertEquals("POST /v1/queues/default/tasks/41/release {\"token\":7}",
                    server.seen().get(1).toString());
        }
    }

    @Test
    void listFollowsEveryPageAndShowsOpenTasksByDefault() {
        try (FakeServer server = new FakeServer(r -> new FakeServer.Reply(200,
                r.path().contains("afterId=1")
                        ? "{\"tasks\": [" + FakeServer.task(2, "Second", "pending", null, null,
                        "1") + "], \"nextAfterId\": null}"
                        : "{\"tasks\": [" + FakeServer.task(1, "First", "in_progress", "sec",
                        3L, "") + "], \"nextAfterId\": 1}"))) {
            TestEnvironment env = new TestEnvironment(home).with("BATON_SERVER",
                    server.address());
            assertEquals(0, env.run("list", "--owner", "a b", "--label", "team=x"));
            assertEquals("#1 [in_progress] First (owner: sec)\n#2 [pending] Second [blocked by"
                    + " #1]\n", env.stdout());
            assertEquals("GET /v1/queues/default/tasks?status=pending,in_progress&owner=a+b"
                    + "&label=team%3Ax&limit=1000", server.seen().get(0).toString());
            assertTrue(server.seen().get(1).path().endsWith("&afterId=1"));
        }
    }

    @Test
    void claimNextWithNothingToClaimExitsOne() {
        try (FakeServer server = new FakeServer(r -> new FakeServer.Reply(200,
                "{\"claims\": []}"))) {
            TestEnvironment env = new TestEnvironment(home).with("BATON_SERVER",
                    server.address());
            assertEquals(1, env.run("claim", "--next", "--wait", "1s", "--label", "os=linux"));
            assertEquals("baton: nothing to claim in queue default after waiting 1s: no ready"
                    + " task matches\n", env.stderr());
            assertEquals("POST /v1/queues/default/claim {\"agent\":\"ada@box\",\"waitMs\":1000,"
                    + "\"labels\":{\"os\":\"linux\"}}", server.seen().get(0).toString());
        }
    }
}
