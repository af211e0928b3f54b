package dev.baton.server.cli;

import dev.baton.client.cli.Cli;
import dev.baton.client.cli.Environment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code baton} command lines in this JVM as a user would type them, pointed at one
 * cluster through BATON_SERVER, with captured output; the user's home has no config file.
 */
final class CliRunner {
    /** What one command line did. */
    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + code + "\nstdout:\n" + out + "stderr:\n" + err;
        }
    }

    private final Map<String, String> variables = new HashMap<>();
    private final Path home;

    CliRunner(String servers, Path home) {
        this.home = home;
        variables.put("BATON_SERVER", servers);
        variables.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    /** Runs one command line to its end. */
    Result run(String... args) {
        return run(Environment.Signals.manual(), args);
    }

    /** Runs one command line, which stops when {@code signals} is stopped. */
    Result run(Environment.Signals signals, String... args) {
        Running running = new Running(signals);
        return running.run(args);
    }

    /** Starts a long-running command line on another thread: stop it with {@link #stop()}. */
    Running start(String... args) {
        Running running = new Running(Environment.Signals.manual());
        running.result = CompletableFuture.supplyAsync(() -> running.run(args));
        return running;
    }

    /** A command line running on another thread, whose output can be read as it comes. */
    final class Running {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Environment.Signals signals;
        private CompletableFuture<Result> result;

        private Running(Environment.Signals signals) {
            this.signals = signals;
        }

        private Result run(String... args) {
            Environment env = new Environment(new ByteArrayInputStream(new byte[0]),
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), variables, home,
                    "tester", "ci", Clock.systemUTC(), signals);
            int code = Cli.run(args, env);
            return new Result(code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        }

        /** The lines printed so far. */
        List<String> lines() {
            return out.toString(StandardCharsets.UTF_8).lines().toList();
        }

        /** Whether it has ended. */
        boolean ended() {
            return result.isDone();
        }

        /** What it wrote to stderr so far. */
        String errSoFar() {
            return err.toString(StandardCharsets.UTF_8);
        }

        /** Raises a stop signal (Ctrl-C) and waits for the command to end. */
        Result stop() {
            ((Environment.Manual) signals).stop();
            return result();
        }

        /** Waits for the command to end on its own. */
        Result result() {
            return result(Duration.ofSeconds(20));
        }

        /** Waits up to {@code atMost} for the command to end on its own. */
        Result result(Duration atMost) {
            return result.orTimeout(atMost.toMillis(), TimeUnit.MILLISECONDS).join();
        }
    }
}
