package dev.baton.client.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.client.BatonClient;
import dev.baton.client.BatonException;
import dev.baton.client.Claim;
import dev.baton.client.ClaimNext;
import dev.baton.client.HeldClaim;
import dev.baton.client.NewTask;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code baton bench}: drives a running cluster the way a fleet does, through the public client,
 * and reports what it measured. Scenarios:
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
 * Before measuring, a warm-up drain (its own queue, not recorded) lets the servers' and this
 * JVM's JIT settle. Every claim is checked: a task granted twice is reported and fails the run.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Bench() {
    }

    /** Options, with the defaults of the reference load. */
    record Options(String servers, String scenario, int workers, int tasks, int count,
                   int warmupTasks, boolean json, String queue, int durationSeconds,
                   BatonClient.Http http) {
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
                    + " [--duration SECONDS] [--http netty|jdk]"
                    + " [--server HOST:PORT,...] [--json]");
            return 2;
        }
        // Netty by default: the load generator shares the machine with the cluster it measures,
        // and takes about half the CPU per call that the JDK's client does.
        try (BatonClient client = BatonClient.builder().servers(o.servers()).http(o.http())
                .build()) {
            if (!o.json()) {
                out.printf("baton bench · %s · %d workers · %d tasks · count %d · %s%n",
                        o.scenario(), o.workers(), o.tasks(), o.count(), o.servers());
            }
            PrintStream progress = o.json() ? err
                    : new PrintStream(java.io.OutputStream.nullOutputStream());
            if (o.warmupTasks() > 0) {
                new Run(client, o.workers(), o.count(), "warmup", progress).drain(o.warmupTasks(), false);
            }
            Run run = new Run(client, o.workers(), o.count(), "bench", progress);
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
                    run.drain(o.tasks(), false);
                    break;
                case "pipeline":
                    run.drain(o.tasks(), true);
                    break;
                case "create":
                    run.create(o.tasks());
                    break;
                case "single":
                    run.create(o.tasks());
                    run.single(o.tasks());
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
                    "--warmup", "--queue", "--duration", "--http").contains(k)) {
                throw new IllegalArgumentException("unknown option " + k);
            }
        }
        String scenario = v.getOrDefault("--scenario", "drain");
        if (!List.of("drain", "create", "pipeline", "single").contains(scenario)) {
            throw new IllegalArgumentException("--scenario is drain, create, pipeline or single");
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
                number(v, "--duration", 0, 0, 86_400),
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

    /** One measured run: its queue, its recorders, and the claims it saw. */
    static final class Run {
        final BatonClient client;
        final int workers;
        final int count;
        String queue;
        final Map<String, Recorder> ops =
                java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        final Map<String, Double> seconds = new LinkedHashMap<>();
        final Map<Long, Boolean> claimed = new ConcurrentHashMap<>();
        final AtomicInteger doubleClaims = new AtomicInteger();
        final Pauses pauses = new Pauses();
        final Map<String, Integer> failures = new ConcurrentHashMap<>();
        /** When --duration is up (System.nanoTime()); work stops there, finished or not. */
        long deadlineNanos = Long.MAX_VALUE;
        volatile String phase = "";

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

        final String name;
        final PrintStream progress;

        Run(BatonClient client, int workers, int count, String name, PrintStream progress) {
            this.client = client;
            this.name = name;
            this.progress = progress;
            this.workers = workers;
            this.count = count;
            this.queue = name + "-" + Long.toString(ThreadLocalRandom.current()
                    .nextLong(1L << 40), 36);
        }

        /** Counts a failed operation, and keeps what went wrong (by kind) for the report. */
        void failed(String name, Throwable e) {
            op(name).error();
            String what = e.getClass().getSimpleName() + ": " + e.getMessage();
            failures.merge(name + " · " + (what.length() > 160 ? what.substring(0, 160) : what),
                    1, Integer::sum);
        }

        Recorder op(String name) {
            return ops.computeIfAbsent(name, k -> new Recorder());
        }

        long errors() {
            return ops.values().stream().mapToLong(r -> r.summary(1).errors()).sum();
        }

        void create(int n) throws InterruptedException {
            parallel("create", workers, n, i -> client.createTask(queue,
                    NewTask.of("bench task " + i)));
        }

        /** Creates n tasks (in chains of four when chained), then W agents drain them. */
        void drain(int n, boolean chained) throws InterruptedException {
            if (chained) {
                AtomicInteger next = new AtomicInteger();
                // Each writer creates whole chains, so a task's blocker already exists.
                parallel("create", workers, (n + 3) / 4, chain -> {
                    long previous = -1;
                    for (int k = 0; k < 4 && next.getAndIncrement() < n; k++) {
                        NewTask t = NewTask.of("chain " + chain + " step " + k);
                        previous = client.createTask(queue, previous < 0 ? t
                                : t.blockedBy(previous)).id();
                    }
                });
            } else {
                create(n);
            }
            AtomicInteger done = new AtomicInteger();
            AtomicLong lastDoneNanos = new AtomicLong();
            long claimStart = System.nanoTime();
            parallel("claim", workers, workers, w -> {
                String agent = "bench-agent-" + w;
                boolean idle = false;
                boolean mayHoldUnknown = false; // after a claim whose answer was lost
                while (done.get() < n && !timeIsUp()) {
                    // After an empty answer, long-poll instead of asking again at once: the
                    // rest is held by others, or waits on blockers that are running.
                    ClaimNext ask = ClaimNext.as(agent).count(count);
                    long start = System.nanoTime();
                    List<Claim> claims;
                    try {
                        claims = client.claimNextTasks(queue,
                                idle ? ask.waitFor(java.time.Duration.ofMillis(250)) : ask);
                    } catch (BatonException e) {
                        failed("claim", e); // The client gave up (say, mid-election): again.
                        mayHoldUnknown = true;
                        continue;
                    }
                    idle = claims.isEmpty();
                    if (idle) {
                        // An empty answer is not a claim: not recorded. The rest is held; if
                        // a lost answer left some of it with this agent, finish that.
                        if (mayHoldUnknown) {
                            int finished = finishHeld(agent);
                            if (finished >= 0) {
                                done.addAndGet(finished);
                                lastDoneNanos.accumulateAndGet(System.nanoTime(), Math::max);
                                mayHoldUnknown = false;
                            }
                        }
                        continue;
                    }
                    op("claim").record(System.nanoTime() - start);
                    pauses.claimed();
                    for (Claim c : claims) {
                        if (claimed.putIfAbsent(c.task().id(), true) != null) {
                            doubleClaims.incrementAndGet();
                        }
                        long t0 = System.nanoTime();
                        completeUntilDone(c.task().id(), c.token());
                        op("complete").record(System.nanoTime() - t0);
                        done.incrementAndGet();
                        lastDoneNanos.accumulateAndGet(System.nanoTime(), Math::max);
                    }
                }
            });
            if (done.get() >= n) {
                // The drain ends with its last completion. Agents that found the queue empty
                // before that wait out a long poll (up to 250 ms) to notice: the bench's idle
                // time, not the cluster's, and a sixth of a 2,000-task drain.
                seconds.put("claim", (lastDoneNanos.get() - claimStart) / 1e9);
            }
        }

        /**
         * After a claim whose answer was lost: the cluster may have granted it, and then this
         * agent holds a task no other agent can claim while the agent's next claims keep its
         * session alive (the drain would never end). As an agent that restarted would, it asks
         * what it holds (a pulse) and completes those tasks. Returns how many it completed, or
         * -1 when the pulse failed.
         */
        private int finishHeld(String agent) {
            List<HeldClaim> held;
            try {
                held = client.pulse(agent, java.time.Duration.ofSeconds(30)).claims();
            } catch (BatonException e) {
                failed("pulse", e); // The next empty answer asks again.
                return -1;
            }
            int finished = 0;
            for (HeldClaim h : held) {
                if (h.queue().equals(queue)) {
                    if (claimed.putIfAbsent(h.id(), true) != null) {
                        doubleClaims.incrementAndGet();
                    }
                    completeUntilDone(h.id(), h.token());
                    finished++;
                }
            }
            return finished;
        }

        /**
         * Completes a claim, retrying while the cluster is unavailable (a leader change): the
         * client reuses the Idempotency-Key, so a retry never completes twice.
         */
        private void completeUntilDone(long id, long token) {
            for (int attempt = 1; ; attempt++) {
                try {
                    client.complete(queue, id, token, null);
                    return;
                } catch (dev.baton.client.UnavailableException
                         | dev.baton.client.UnknownOutcomeException e) {
                    failed("complete", e);
                    if (attempt == 10) {
                        throw e;
                    }
                }
            }
        }

        /** One agent, one task at a time: claim-next then complete. */
        void single(int n) throws InterruptedException {
            parallel("claim", 1, 1, w -> {
                for (int i = 0; i < n && !timeIsUp(); i++) {
                    long start = System.nanoTime();
                    List<Claim> claims = client.claimNextTasks(queue, ClaimNext.as("single"));
                    op("claim").record(System.nanoTime() - start);
                    for (Claim c : claims) {
                        claimed.put(c.task().id(), true);
                        long t0 = System.nanoTime();
                        client.complete(queue, c.task().id(), c.token(), null);
                        op("complete").record(System.nanoTime() - t0);
                    }
                }
            });
        }

        interface Step {
            void run(int i) throws Exception;
        }

        /** Runs {@code items} steps on {@code threads} threads; times the phase as a whole. */
        private void parallel(String phase, int threads, int items, Step step)
                throws InterruptedException {
            // One line per phase on stderr, for scripts that act at a point of the run
            // (bin/perf kills the leader once the measured claims have started).
            progress.printf("{\"run\":\"%s\",\"phase\":\"%s\",\"atEpochMs\":%d}%n", name,
                    phase, System.currentTimeMillis());
            this.phase = phase;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < items && !timeIsUp();
                         i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        try {
                            step.run(i);
                            if (phase.equals("create")) {
                                op("create").record(System.nanoTime() - t0);
                            }
                        } catch (Exception e) {
                            failed(phase, e);
                        }
                    }
                }));
            }
            pool.shutdown();
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failed(phase, e.getCause());
                }
            }
            seconds.merge(phase, (System.nanoTime() - start) / 1e9, Double::sum);
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
