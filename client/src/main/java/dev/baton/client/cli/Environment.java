package dev.baton.client.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Everything the command line takes from its process: the standard streams, the environment
 * variables, the user's home directory, the user and host names (for the default agent name),
 * a clock, and the stop signals. {@link #system()} is the real process; tests build their own,
 * so that every command runs without touching the real environment.
 *
 * @param variables the environment variables ({@code BATON_SERVER}, {@code BATON_CONFIG}...)
 * @param home where {@code .config/baton/cli.yaml} is looked for
 * @param userName the {@code USER} of the default agent name {@code USER@HOSTNAME}
 * @param hostName the {@code HOSTNAME} of the default agent name
 * @param clock for "expires in 12s"
 * @param signals how the loops ({@code run}, {@code watch}, {@code pulse --every}) learn that
 *                they must stop
 */
public record Environment(InputStream stdin, PrintStream stdout, PrintStream stderr,
                          Map<String, String> variables, Path home, String userName,
                          String hostName, Clock clock, Signals signals) {

    public Environment {
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        variables = Map.copyOf(variables);
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(signals, "signals");
    }

    /**
     * The real process: its streams (written as UTF-8, flushed at every line), variables and
     * home; SIGINT and SIGTERM (through a shutdown hook) stop the loops.
     */
    public static Environment system() {
        Map<String, String> variables = System.getenv();
        String user = variables.getOrDefault("USER", System.getProperty("user.name", "user"));
        return new Environment(System.in, utf8(FileDescriptor.out), utf8(FileDescriptor.err),
                variables, Path.of(System.getProperty("user.home", ".")), user,
                hostName(variables), Clock.systemUTC(), Signals.shutdownHooks());
    }

    /** The value of a variable, or null when it is unset or empty. */
    String variable(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static PrintStream utf8(FileDescriptor fd) {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd), 8192), true,
                StandardCharsets.UTF_8);
    }

    private static String hostName(Map<String, String> variables) {
        String name = variables.get("HOSTNAME");
        if (name != null && !name.isBlank()) {
            return name.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * Where a stop request comes from. A long-running command registers what to do on a stop;
     * the action may block until the command has tidied up (released its task), because the
     * process ends as soon as the actions return.
     */
    public interface Signals {
        /** Runs {@code action} on a stop; closing the registration removes it. */
        Registration onStop(Runnable action);

        /** The real process: a JVM shutdown hook, which SIGINT (Ctrl-C) and SIGTERM run. */
        static Signals shutdownHooks() {
            return action -> {
                Thread hook = new Thread(action, "baton-cli-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                return () -> {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // The process is already stopping, and the hook running: leave it be.
                    }
                };
            };
        }

        /** Stops only when {@link Manual#stop()} is called: for tests and embedding. */
        static Manual manual() {
            return new Manual();
        }
    }

    /** A registration of a stop action; closing it never throws. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Signals raised by a call to {@link #stop()}, as a test raises Ctrl-C. */
    public static final class Manual implements Signals {
        private final List<Runnable> actions = new CopyOnWriteArrayList<>();
        private volatile boolean stopped;

        private Manual() {
        }

        @Override
        public Registration onStop(Runnable action) {
            if (stopped) {
                // Already stopped: run it at once, but not on the caller's thread, which the
                // action may wait for.
                new Thread(action, "baton-cli-stop").start();
                return () -> { };
            }
            actions.add(action);
            return () -> actions.remove(action);
        }

        /** Runs every registered action, each on its own thread, and waits for them. */
        public void stop() {
            stopped = true;
            List<Thread> threads = actions.stream().map(a -> new Thread(a, "baton-cli-stop"))
                    .toList();
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /** Whether {@link #stop()} was called. */
        public boolean stopped() {
            return stopped;
        }
    }
}
