package dev.baton.server.cli;

import dev.baton.server.TestCluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long-running commands against a real (one-node) cluster: {@code run} draining a queue
 * with a shell command and stopping cleanly, {@code watch} printing events as they happen,
 * and {@code pulse --every} until stopped.
 */
class CliWorkerTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;
    static CliRunner baton;

    @BeforeAll
    static void start() {
        cluster = TestCluster.started(dir.resolve("cluster"), 1);
        baton = new CliRunner(cluster.servers(), dir);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static CliRunner.Result ok(String... args) {
        CliRunner.Result r = baton.run(args);
        assertEquals(0, r.code(), r::toString);
        return r;
    }

    @Test
    void runDrainsAQueueCompletingWithStdoutAndFailingWithTheStderrTail() {
        String q = "drain";
        ok("create", "Build", "-q", q);
        ok("create", "Break", "--max-attempts", "1", "-q", q);
        ok("create", "Test", "-q", q);

        // The command reads the task from stdin and its claim from the environment; the task
        // called Break fails.
        CliRunner.Result r = baton.run("run", "--count", "3", "--wait", "1s", "--agent",
                "shell-worker", "-q", q, "--", "sh", "-c", """
                        task=$(cat)
                        case "$task" in *'"subject":"Break"'*)
                          echo "compiling..." >&2; echo "error: it broke" >&2; exit 3;;
                        esac
                        echo "did #$BATON_TASK_ID in $BATON_QUEUE as $BATON_AGENT"
                        echo "token $BATON_TOKEN"
                        """);
        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.lines();
        assertEquals(6, lines.size(), r::toString);
        assertTrue(lines.get(0).matches("✓ claimed #1 by shell-worker · token \\d+ · lease 30s"),
                r::toString);
        assertEquals("✓ completed #1 · exit 0", lines.get(1));
        assertTrue(lines.get(2).startsWith("✓ claimed #2 by shell-worker"), r::toString);
        assertEquals("✗ failed #2 · exit 3 · attempt 1 of 1 · status failed", lines.get(3));
        assertEquals("✓ completed #3 · exit 0", lines.get(5));
        assertEquals("compiling...\nerror: it broke\n", r.err()); // Passed through as it came.

        List<String> build = ok("show", "1", "-q", q).lines();
        assertTrue(build.contains("  result       did #1 in drain as shell-worker"),
                build::toString);
        String token = lines.get(0).replaceAll(".*token (\\d+).*", "$1");
        assertTrue(build.contains("               token " + token), build::toString);
        List<String> broken = ok("show", "2", "-q", q).lines();
        assertTrue(broken.contains("  failure      compiling..."), broken::toString);
        assertTrue(broken.contains("               error: it broke"), broken::toString);
        assertEquals(List.of(), ok("list", "-q", q).lines());
    }

    @Test
    void runWithCountStopsWhenTheWaitFindsNothing() {
        long started = System.nanoTime();
        CliRunner.Result r = baton.run("run", "--count", "5", "--wait", "500ms", "-q",
                "run-empty", "--", "true");
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.out());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void aStoppedRunTerminatesItsCommandAndReleasesTheTask() {
        String q = "stop";
        ok("create", "Long job", "-q", q);
        CliRunner.Running run = baton.start("run", "--agent", "stopper", "--grace", "2s", "-q",
                q, "--", "sh", "-c", "sleep 30");
        await().atMost(Duration.ofSeconds(15)).until(() -> run.lines().size() == 1);

        // Ctrl-C: the command is terminated and the task released (not an attempt).
        CliRunner.Result r = run.stop();
        assertEquals(130, r.code(), r::toString);
        assertEquals("✓ released #1 · status pending · stopping", r.lines().get(1));
        List<String> task = ok("show", "1", "-q", q).lines();
        assertTrue(task.contains("  attempts     0 of 5"), task::toString);
        assertTrue(task.get(task.size() - 1).matches("  \\S+  released by stopper · token \\d+"),
                task::toString);
    }

    @Test
    void watchPrintsEventsAsTheyHappen() {
        String q = "watched";
        ok("create", "First", "-q", q);
        ok("claim", "1", "--agent", "eve", "-q", q);

        // From the start of the log, only this queue: two events so far, a third to come.
        CliRunner.Running watch = baton.start("watch", "--from", "1", "--count", "3", "-q", q);
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.lines().size() == 2);
        ok("create", "Second", "-q", q);
        CliRunner.Result r = watch.result();
        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.lines();
        assertTrue(lines.get(0).matches("\\S+Z  watched#1 created \\(index \\d+\\)"),
                r::toString);
        assertTrue(lines.get(1).matches(
                "\\S+Z  watched#1 claimed by eve · token \\d+ \\(index \\d+\\)"), r::toString);
        assertTrue(lines.get(2).matches("\\S+Z  watched#2 created \\(index \\d+\\)"),
                r::toString);

        // Without --count it runs until stopped; --json prints one object a line.
        CliRunner.Running forever = baton.start("watch", "--json", "--from", "1", "-q", q);
        await().atMost(Duration.ofSeconds(10)).until(() -> forever.lines().size() == 3);
        CliRunner.Result stopped = forever.stop();
        assertEquals(130, stopped.code(), stopped::toString);
        assertTrue(stopped.lines().get(0).startsWith("{\"queue\":\"watched\",\"id\":1,"),
                stopped::toString);
    }

    @Test
    void pulseEveryKeepsPulsingUntilStopped() {
        CliRunner.Running pulse = baton.start("pulse", "--ttl", "3s", "--every", "200ms",
                "--agent", "heart");
        await().atMost(Duration.ofSeconds(10)).until(() -> pulse.lines().size() >= 3);
        assertTrue(baton.run("agents").out().contains("heart · lease 3s"));
        CliRunner.Result r = pulse.stop();
        assertEquals(130, r.code(), r::toString);
        assertTrue(r.lines().size() >= 2, r::toString);
        assertEquals("✓ pulse heart · lease 3s · holds nothing · new session", r.lines().get(0));
        assertEquals("✓ pulse heart · lease 3s · holds nothing", r.lines().get(1));
    }
}
