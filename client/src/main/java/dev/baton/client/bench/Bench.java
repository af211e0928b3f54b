package dev.baton.client.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.client.BatonClient;
import dev.baton.client.BatonException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code baton bench}: drives a running cluster the way a fleet does and reports what it
 * measured. Scenarios:
 *
 * <ul>
 *   <li>{@code drain}: create N tasks (W writers), then W agents claim-next and complete until
 *       the queue is empty;</li>
 *   <li>{@code create}: W writers create N tasks;</li>
 *   <li>{@code pipeline}: N tasks in dependency chains of four, drained by W agents, each task
 *       becoming claimable when its blocker completes;</li>
 *   <li>{@code single}: one agent claims and completes N tasks one at a time (the latency
 *       floor).</li>
 * </ul>
 *
 * The agents are callbacks on one event loop ({@link LoopAgents}, the default) or threads
 * calling through the Java client library ({@link ClientAgents}, {@code --driver client}).
 * Before measuring, a warm-up drain (its own queue, not recorded) lets the servers' and this
 * JVM's JIT settle. Every claim is checked: a task granted twice is reported and fails the run.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long an agent that found nothing to claim long-polls before asking again. */
    static final int IDLE_WAIT_MS = 250;

    private Bench() {
    }

    /** Options, with the defaults of the reference load. */
    record Options(String servers, String scenario, int workers, int tasks, int count,
                   int warmupTasks, boolean json, String queue, int durationSeconds,
                   String driver, BatonClient.Http http) {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv("BATON_SERVER"), System.out, System.err));
    }

    /** Runs a bench; returns 0 when it completed with no error and no double claim. */
    public static int run(String[] args, String defaultServers, PrintStream out,
                          PrintStream err) {
        Options o;
        try {
            o = parse(args, defaultServers);
        } catch (IllegalArgumentException e) {
            err.println("baton bench: " + e.getMessage());
            err.println("usage: baton bench [--scenario drain|create|pipeline|single]"
                    + " [--workers 32] [--tasks 2000] [--count 1] [--warmup 1000] [--queue NAME]"
                    + " [--duration SECONDS] [--driver loop|client] [--http netty|jdk]"
                    + " [--server HOST:PORT,...] [--json]");
            return 2;
        }
        Driver driver;
        try {
            driver = o.driver().equals("loop") ? LoopAgents.start(o.servers())
                    : new ClientAgents(BatonClient.builder().servers(o.servers()).http(o.http())
                            .build());
        } catch (IllegalArgumentException e) {
            err.println("baton bench: " + e.getMessage());
            return 2;
        } catch (LoopAgents.Unreachable e) {
            err.println("baton bench: cannot reach the cluster: " + e.getMessage());
            return 3;
        }
        try (driver) {
            if (!o.json()) {
                out.printf("baton bench · %s · %d workers · %d tasks · count %d · %s%n",
                        o.scenario(), o.workers(), o.tasks(), o.count(), o.servers());
            }
            PrintStream progress = o.json() ? err
                    : new PrintStream(java.io.OutputStream.nullOutputStream());
            if (o.warmupTasks() > 0) {
                driver.drain(new Run(o.workers(), o.count(), "warmup", progress),
                        o.warmupTasks(), false);
            }
            Run run = new Run(o.workers(), o.count(), "bench", progress);
            if (o.durationSeconds() > 0) {
                run.deadlineNanos = System.nanoTime() + o.durationSeconds() * 1_000_000_000L;
            }
            Thread bar = !o.json() && System.console() != null ? run.progressBar(err) : null;
            if (o.queue() != null) {
                // A named queue may already hold tasks (say a million, to measure claims on a
                // deep backlog): they count as claimable work like the ones this run creates.
                run.queue = o.queue();
            }
            switch (o.scenario()) {
                case "drain":
                    driver.drain(run, o.tasks(), false);
                    break;
                case "pipeline":
                    driver.drain(run, o.tasks(), true);
                    break;
                case "create":
                    driver.create(run, o.tasks());
                    break;
                case "single":
                    driver.create(run, o.tasks());
                    driver.single(run, o.tasks());
                    break;
                default:
                    throw new AssertionError(o.scenario());
            }
            if (bar != null) {
                bar.interrupt();
                bar.join();
            }
            report(o, run, out);
            return run.doubleClaims.get() == 0 && run.errors() == 0 ? 0 : 1;
        } catch (BatonException e) {
            err.println("baton bench: the cluster failed the run: " + e.getMessage());
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    static Options parse(String[] args, String defaultServers) {
        Map<String, String> v = new LinkedHashMap<>();
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if (a.startsWith("--") && i + 1 < args.length) {
                v.put(a, args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument \"" + a + "\"");
            }
        }
        for (String k : v.keySet()) {
            if (!List.of("--server", "--scenario", "--workers", "--tasks", "--count",
                    "--warmup", "--queue", "--duration", "--driver", "--http").contains(k)) {
                throw new IllegalArgumentException("unknown option " + k);
            }
        }
        String scenario = v.getOrDefault("--scenario", "drain");
        if (!List.of("drain", "create", "pipeline", "single").contains(scenario)) {
            throw new IllegalArgumentException("--scenario is drain, create, pipeline or single");
        }
        String driver = v.getOrDefault("--driver", "loop");
        if (!List.of("loop", "client").contains(driver)) {
            throw new IllegalArgumentException("--driver is loop or client");
        }
        String http = v.getOrDefault("--http", "netty");
        if (!List.of("netty", "jdk").contains(http)) {
            throw new IllegalArgumentException("--http is netty or jdk");
        }
        String servers = v.getOrDefault("--server",
                defaultServers == null || defaultServers.isBlank() ? "127.0.0.1:7070"
                        : defaultServers);
        return new Options(servers, scenario, number(v, "--workers", 32, 1, 1024),
                number(v, "--tasks", 2000, 1, 10_000_000), number(v, "--count", 1, 1, 100),
                number(v, "--warmup", 1000, 0, 1_000_000), json, v.get("--queue"),
                number(v, "--duration", 0, 0, 86_400), driver,
                http.equals("netty") ? BatonClient.Http.NETTY : BatonClient.Http.JDK);
    }

    private static int number(Map<String, String> v, String name, int otherwise, int min,
                              int max) {
        String s = v.get(name);
        if (s == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(s);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw new IllegalArgumentException(name + " must be a number from " + min + " to "
                + max + ", got \"" + s + "\"");
    }

    /**
     * One measured run: its parameters, its queue, its recorders, and the claims it saw. Its
     * driver's agents record into it from any thread.
     */
    static final class Run {
        final int workers;
        final int count;
        String queue;
        final Map<String, Recorder> ops =
                java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        final Map<String, Double> seconds = new ConcurrentHashMap<>();
        /** Every task granted in this run, with the token of its first grant. */
        final Map<Long, Long> claimed = new ConcurrentHashMap<>();
        final AtomicInteger doubleClaims = new AtomicInteger();
        final Pauses pauses = new Pauses();
        final Map<String, Integer> failures = new ConcurrentHashMap<>();
        /** When --duration is up (System.nanoTime()); work stops there, finished or not. */
        long deadlineNanos = Long.MAX_VALUE;
        volatile String phase = "";
        final String name;
        final PrintStream progress;

        Run(int workers, int count, String name, PrintStream progress) {
            this.name = name;
            this.progress = progress;
            this.workers = workers;
            this.count = count;
            this.queue = name + "-" + Long.toString(ThreadLocalRandom.current()
                    .nextLong(1L << 40), 36);
        }

        boolean timeIsUp() {
            return System.nanoTime() - deadlineNanos >= 0;
        }

        /** On a terminal: the phase, its operations so far and their rate, every half second. */
        Thread progressBar(PrintStream err) {
            Thread t = new Thread(() -> {
                long start = System.nanoTime();
                String shown = "";
                try {
                    while (true) {
                        Thread.sleep(500);
                        String p = phase;
                        if (!p.equals(shown)) {
                            shown = p;
                            start = System.nanoTime();
                        }
                        Recorder r = ops.get(p);
                        int n = r == null ? 0 : r.count();
                        err.printf("\r  %-8s %,10d ops  %,8.0f/s ", p, n,
                                n / ((System.nanoTime() - start) / 1e9));
                    }
                } catch (InterruptedException e) {
                    err.print("\r" + " ".repeat(48) + "\r");
                }
            }, "bench-progress");
            t.setDaemon(true);
            t.start();
            return t;
        }

        /**
         * Starts a phase; returns its start (System.nanoTime()). One line per phase goes to the
         * progress stream, for scripts that act at a point of the run (bin/perf kills the leader
         * once the measured claims have started).
         */
        long begin(String phase) {
            progress.printf("{\"run\":\"%s\",\"phase\":\"%s\",\"atEpochMs\":%d}%n", name,
                    phase, System.currentTimeMillis());
            this.phase = phase;
            return System.nanoTime();
        }

        /** Ends a phase begun at {@code start}: its wall time counts towards its rates. */
        void end(String phase, long start) {
            seconds.merge(phase, (System.nanoTime() - start) / 1e9, Double::sum);
        }

        /**
         * A drain that claimed every task: its rate is over the time to its last completion.
         * Agents that found the queue empty before that wait out a long poll to notice: the
         * bench's idle time, not the cluster's, and a sixth of a 2,000-task drain.
         */
        void drained(long claimStart, long lastDoneNanos) {
            seconds.put("claim", (lastDoneNanos - claimStart) / 1e9);
        }

        /**
         * Task {@code id} granted with {@code token}. A grant with another token is a double
         * claim; the same one again is the same grant, seen twice (a pulse that lists a claim
         * whose complete failed).
         */
        void claimed(long id, long token) {
            Long first = claimed.putIfAbsent(id, token);
            if (first != null && first != token) {
                doubleClaims.incrementAndGet();
            }
        }

        /** Counts a failed operation, and keeps what went wrong (by kind) for the report. */
        void failed(String name, Throwable e) {
            failed(name, e.getClass().getSimpleName() + ": " + e.getMessage());
        }

        /** Counts a failed operation, and keeps {@code what} went wrong for the report. */
        void failed(String name, String what) {
            op(name).error();
            failures.merge(name + " · " + (what.length() > 160 ? what.substring(0, 160) : what),
                    1, Integer::sum);
        }

        Recorder op(String name) {
            return ops.computeIfAbsent(name, k -> new Recorder());
        }

        long errors() {
            return ops.values().stream().mapToLong(r -> r.summary(1).errors()).sum();
        }
    }

    /**
     * The longest time between two successful claims of a run, and when it ended (wall clock):
     * with a leader killed mid-run, the end of that pause is the first claim the new leader
     * granted.
     */
    static final class Pauses {
        private long lastMs = -1;
        private long longestMs;
        private long longestEndMs;

        synchronized void claimed() {
            long now = System.currentTimeMillis();
            if (lastMs >= 0 && now - lastMs > longestMs) {
                longestMs = now - lastMs;
                longestEndMs = now;
            }
            lastMs = now;
        }
    }

    private static void report(Options o, Run run, PrintStream out) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("scenario", o.scenario());
        doc.put("workers", o.workers());
        doc.put("tasks", o.tasks());
        doc.put("count", o.count());
        doc.put("servers", o.servers());
        ObjectNode opsJson = doc.putObject("operations");
        for (Map.Entry<String, Recorder> e : run.ops.entrySet()) {
            String phase = e.getKey().equals("complete") ? "claim" : e.getKey();
            Recorder.Summary s = e.getValue().summary(run.seconds.getOrDefault(phase, 1.0));
            opsJson.set(e.getKey(), JSON.valueToTree(s));
            if (!o.json()) {
                out.printf("  %-9s %8d ops %9.1f/s   p50 %7.2f  p90 %7.2f  p99 %7.2f"
                                + "  p99.9 %7.2f  max %7.2f ms   errors %d%n", e.getKey(),
                        s.count(), s.perSecond(), s.p50Ms(), s.p90Ms(), s.p99Ms(), s.p999Ms(),
                        s.maxMs(), s.errors());
            }
        }
        ObjectNode failuresJson = doc.putObject("failures");
        run.failures.forEach((what, n) -> {
            failuresJson.put(what, n);
            if (!o.json()) {
                out.printf("  failed %d × %s%n", n, what);
            }
        });
        double claimSeconds = run.seconds.getOrDefault("claim", 0.0);
        double claimsPerSecond = claimSeconds == 0 ? 0 : run.claimed.size() / claimSeconds;
        // With --duration the run may stop before every task is claimed: then "exactly once"
        // means no task was granted twice.
        // A named queue may hold more tasks than the run's: then workers may claim a few more
        // than --tasks before they see that enough are done.
        boolean exactlyOnce = run.doubleClaims.get() == 0
                && (o.scenario().equals("create") || run.claimed.size() == o.tasks()
                || o.queue() != null && run.claimed.size() >= o.tasks() || run.timeIsUp());
        doc.put("claimsPerSecond", claimsPerSecond);
        doc.put("tasksClaimed", run.claimed.size());
        doc.put("doubleClaims", run.doubleClaims.get());
        doc.put("everyTaskClaimedExactlyOnce", exactlyOnce);
        synchronized (run.pauses) {
            doc.put("longestPauseMs", run.pauses.longestMs);
            doc.put("longestPauseEndEpochMs", run.pauses.longestEndMs);
        }
        if (o.json()) {
            out.println(doc.toPrettyString());
        } else if (!o.scenario().equals("create")) {
            out.printf("  claims/s %.1f · tasks claimed %d of %d · every task claimed exactly"
                    + " once: %s%n", claimsPerSecond, run.claimed.size(), o.tasks(),
                    exactlyOnce ? "yes" : "NO (" + run.doubleClaims.get() + " double claims)");
        }
    }
}
