package dev.baton.client.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * An {@link Environment} for one command run in a test: captured stdout and stderr, the
 * variables and home directory the test chose, a fixed clock, and manual stop signals.
 */
final class TestEnvironment {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final Map<String, String> variables = new HashMap<>();
    final Environment.Manual signals = Environment.Signals.manual();
    Path home;
    String stdin = "";

    TestEnvironment(Path home) {
        this.home = home;
    }

    TestEnvironment with(String variable, String value) {
        variables.put(variable, value);
        return this;
    }

    Environment environment() {
        return new Environment(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), variables, home, "ada",
                "box", Clock.fixed(Instant.parse("2026-11-22T10:15:30Z"), ZoneOffset.UTC),
                signals);
    }

    /** Runs one command line; the output is in {@link #stdout()} and {@link #stderr()}. */
    int run(String... args) {
        return Cli.run(args, environment());
    }

    String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
