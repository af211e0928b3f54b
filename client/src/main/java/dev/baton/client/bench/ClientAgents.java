package dev.baton.client.bench;

import dev.baton.client.BatonClient;
import dev.baton.client.BatonException;
import dev.baton.client.Claim;
import dev.baton.client.ClaimNext;
import dev.baton.client.HeldClaim;
import dev.baton.client.NewTask;
import dev.baton.client.UnavailableException;
import dev.baton.client.UnknownOutcomeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code --driver client}: every agent and writer is a thread calling through the Java client
 * library ({@link BatonClient}, with its failover and retries), as a Java service would. Each
 * call parks its thread until the answer comes, so on a machine the cluster shares this takes
 * several times the CPU of {@link LoopAgents} for the same load (docs/PERFORMANCE.md, item 19).
 */
final class ClientAgents implements Driver {
    private final BatonClient client;

    ClientAgents(BatonClient client) {
        this.client = client;
    }

    @Override
    public void create(Bench.Run run, int n) throws InterruptedException {
        parallel(run, "create", run.workers, n, i -> {
            long t0 = System.nanoTime();
            client.createTask(run.queue, NewTask.of("bench task " + i));
            run.op("create").record(System.nanoTime() - t0);
        });
    }

    @Override
    public void drain(Bench.Run run, int n, boolean chained) throws InterruptedException {
        if (chained) {
            AtomicInteger next = new AtomicInteger();
            // Each writer creates whole chains, so a task's blocker already exists.
            parallel(run, "create", run.workers, (n + 3) / 4, chain -> {
                long previous = -1;
                for (int k = 0; k < 4 && next.getAndIncrement() < n; k++) {
                    NewTask t = NewTask.of("chain " + chain + " step " + k);
                    long t0 = System.nanoTime();
                    previous = client.createTask(run.queue, previous < 0 ? t
                            : t.blockedBy(previous)).id();
                    run.op("create").record(System.nanoTime() - t0);
                }
            });
        } else {
            create(run, n);
        }
        AtomicInteger done = new AtomicInteger();
        AtomicLong lastDoneNanos = new AtomicLong();
        long claimStart = System.nanoTime();
        parallel(run, "claim", run.workers, run.workers, w -> {
            String agent = "bench-agent-" + w;
            boolean idle = false;
            boolean mayHoldUnknown = false; // after a claim whose answer was lost
            while (done.get() < n && !run.timeIsUp()) {
                // After an empty answer, long-poll instead of asking again at once: the
                // rest is held by others, or waits on blockers that are running.
                ClaimNext ask = ClaimNext.as(agent).count(run.count);
                long start = System.nanoTime();
                List<Claim> claims;
                try {
                    claims = client.claimNextTasks(run.queue,
                            idle ? ask.waitFor(Duration.ofMillis(Bench.IDLE_WAIT_MS)) : ask);
                } catch (BatonException e) {
                    run.failed("claim", e); // The client gave up (say, mid-election): again.
                    mayHoldUnknown = true;
                    continue;
                }
                idle = claims.isEmpty();
                if (idle) {
                    // An empty answer is not a claim: not recorded. The rest is held; if a lost
                    // answer left some of it with this agent, finish that.
                    if (mayHoldUnknown) {
                        int finished = finishHeld(run, agent);
                        if (finished >= 0) {
                            done.addAndGet(finished);
                            lastDoneNanos.accumulateAndGet(System.nanoTime(), Math::max);
                            mayHoldUnknown = false;
                        }
                    }
                    continue;
                }
                run.op("claim").record(System.nanoTime() - start);
                run.pauses.claimed();
                for (Claim c : claims) {
                    run.claimed(c.task().id(), c.token());
                    long t0 = System.nanoTime();
                    completeUntilDone(run, c.task().id(), c.token());
                    run.op("complete").record(System.nanoTime() - t0);
                    done.incrementAndGet();
                    lastDoneNanos.accumulateAndGet(System.nanoTime(), Math::max);
                }
            }
        });
        if (done.get() >= n) {
            run.drained(claimStart, lastDoneNanos.get());
        }
    }

    /**
     * After a claim whose answer was lost: the cluster may have granted it, and then this agent
     * holds a task no other agent can claim while the agent's next claims keep its session alive
     * (the drain would never end). As an agent that restarted would, it asks what it holds (a
     * pulse) and completes those tasks. Returns how many it completed, or -1 when the pulse
     * failed.
     */
    private int finishHeld(Bench.Run run, String agent) {
        List<HeldClaim> held;
        try {
            held = client.pulse(agent, Duration.ofSeconds(30)).claims();
        } catch (BatonException e) {
            run.failed("pulse", e); // The next empty answer asks again.
            return -1;
        }
        int finished = 0;
        for (HeldClaim h : held) {
            if (h.queue().equals(run.queue)) {
                run.claimed(h.id(), h.token());
                completeUntilDone(run, h.id(), h.token());
                finished++;
            }
        }
        return finished;
    }

    /**
     * Completes a claim, retrying while the cluster is unavailable (a leader change): the client
     * reuses the Idempotency-Key, so a retry never completes twice.
     */
    private void completeUntilDone(Bench.Run run, long id, long token) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.complete(run.queue, id, token, null);
                return;
            } catch (UnavailableException | UnknownOutcomeException e) {
                run.failed("complete", e);
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void single(Bench.Run run, int n) throws InterruptedException {
        parallel(run, "claim", 1, 1, w -> {
            for (int i = 0; i < n && !run.timeIsUp(); i++) {
                long start = System.nanoTime();
                List<Claim> claims = client.claimNextTasks(run.queue, ClaimNext.as("single"));
                run.op("claim").record(System.nanoTime() - start);
                for (Claim c : claims) {
                    run.claimed(c.task().id(), c.token());
                    long t0 = System.nanoTime();
                    client.complete(run.queue, c.task().id(), c.token(), null);
                    run.op("complete").record(System.nanoTime() - t0);
                }
            }
        });
    }

    @Override
    public void close() {
        client.close();
    }

    private interface Step {
        void run(int i) throws Exception;
    }

    /** Runs {@code items} steps on {@code threads} threads; times the phase as a whole. */
    private static void parallel(Bench.Run run, String phase, int threads, int items, Step step)
            throws InterruptedException {
        long start = run.begin(phase);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < items && !run.timeIsUp();
                     i = next.getAndIncrement()) {
                    try {
                        step.run(i);
                    } catch (Exception e) {
                        run.failed(phase, e);
                    }
                }
            }));
        }
        pool.shutdown();
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                run.failed(phase, e.getCause());
            }
        }
        run.end(phase, start);
    }
}
