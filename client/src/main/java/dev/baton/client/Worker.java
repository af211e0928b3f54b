package dev.baton.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The worker loop: claim the next tasks, run a handler on each, complete or fail them, and keep
 * the claims alive meanwhile. To get started:
 *
 * <pre>{@code
 * BatonClient client = BatonClient.builder()
 *         .servers("127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072").build();
 * Worker worker = Worker.builder(client, "default", "agent:builder-1")
 *         .capabilities("python")
 *         .concurrency(4)
 *         .handler(ctx -> {
 *             ctx.progress("building", 10);
 *             return "built " + ctx.task().subject();   // becomes the task's result
 *         })
 *         .start();
 * Runtime.getRuntime().addShutdownHook(new Thread(worker::close));
 * worker.awaitTermination();
 * }</pre>
 *
 * <p><b>Claiming.</b> One thread long-polls claim-next ({@link Builder#pollWait}, 20 s by
 * default) for as many tasks as there are free slots, so at most {@link Builder#concurrency}
 * handlers run at once. A claim-next whose outcome is unknown is sent again with the same
 * Idempotency-Key, so that tasks it did grant are not left claimed and unworked.
 *
 * <p><b>Running.</b> Handlers run on the worker's own threads. A handler's return value
 * completes the task; an exception fails the attempt with the exception's message and
 * {@code retry=true} (after {@link Builder#retryDelay}). The agent's session is pulsed every
 * TTL/3 ({@link Builder#sessionTtl}, 30 s by default) from start to close, one loop per worker.
 * If a pulse shows that a claim was lost (its session lapsed during a partition, say), the
 * handler's thread is interrupted and its outcome is dropped: the task is someone else's now.
 *
 * <p><b>Stopping.</b> {@link #close()} stops claiming at once (aborting the current long poll),
 * then waits up to {@link Builder#shutdownGrace} (10 s by default) for running handlers, whose
 * outcomes are reported as usual. Handlers still running then are interrupted, and their tasks
 * released, not failed: a voluntary release does not count as an attempt. Finally the agent's
 * session ends (DELETE /v1/agents/{agent}), which releases anything the aborted poll may have
 * claimed. So give every worker an agent name of its own.
 *
 * <p>Worker threads are not daemons: a started worker keeps the JVM alive until closed.
 */
public final class Worker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Worker.class.getName());
    private static final int CLAIM_COUNT_MAX = 100;
    /** Keeps a reason within the server's text limit, with room for multi-byte characters. */
    private static final int REASON_CHARS_MAX = 8_000;
    private static final int REPORT_ATTEMPTS = 3;

    private final BatonClient client;
    private final String queue;
    private final String agent;
    private final ClaimNext claimNext;
    private final TaskHandler handler;
    private final Duration shutdownGrace;
    private final Duration retryDelay;
    private final Semaphore slots;
    private final ThreadPoolExecutor handlers;
    private final Thread poller;
    private final KeepAlives.Agent keepAlive;
    private final Set<ClaimHandle> active = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicReference<RefusedException> failure = new AtomicReference<>();
    private final AtomicInteger completed = new AtomicInteger();
    private volatile boolean stopping;
    private volatile boolean abandoning;

    private Worker(Builder b) {
        this.client = b.client;
        this.queue = b.queue;
        this.agent = b.agent;
        ClaimNext request = ClaimNext.as(b.agent).waitFor(b.pollWait)
                .capabilities(b.capabilities);
        this.claimNext = b.labels.isEmpty() ? request : request.labels(b.labels);
        this.handler = b.handler;
        this.shutdownGrace = b.shutdownGrace;
        this.retryDelay = b.retryDelay;
        this.slots = new Semaphore(b.concurrency);
        AtomicInteger n = new AtomicInteger();
        this.handlers = new ThreadPoolExecutor(b.concurrency, b.concurrency, 0,
                TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> new Thread(r,
                "baton-worker-" + agent + "-" + n.incrementAndGet()));
        this.keepAlive = client.keepAlives().pin(agent, b.sessionTtl);
        this.poller = new Thread(this::poll, "baton-worker-" + agent + "-claim");
    }

    public static Builder builder(BatonClient client, String queue, String agent) {
        return new Builder(client, queue, agent);
    }

    public String agent() {
        return agent;
    }

    public String queue() {
        return queue;
    }

    /** How many handlers are running now. */
    public int running() {
        return active.size();
    }

    /** How many tasks this worker has completed. */
    public int completedCount() {
        return completed.get();
    }

    /** Whether it is still claiming: not closed, and claim-next was never refused. */
    public boolean isClaiming() {
        return poller.isAlive() && !stopping;
    }

    /** The refusal that made it stop claiming (a bad capability, say), or null. */
    public RefusedException failure() {
        return failure.get();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ----- claiming -----

    private void poll() {
        ClaimNext unknown = null; // A claim-next whose outcome is unknown, to send again...
        String unknownKey = null; // ...with the same key.
        long backoffMs = 0;
        try {
            while (!stopping) {
                int count;
                if (unknown != null) {
                    count = unknown.count();
                    slots.acquire(count);
                } else {
                    slots.acquire();
                    int free = 1 + slots.drainPermits();
                    count = Math.min(CLAIM_COUNT_MAX, free);
                    slots.release(free - count);
                }
                ClaimNext request = unknown != null ? unknown : claimNext.count(count);
                String key = unknown != null ? unknownKey : BatonClient.newIdempotencyKey();
                List<ClaimHandle> claimed;
                try {
                    claimed = client.claimNext(queue, request, key);
                    unknown = null;
                    backoffMs = 0;
                } catch (UnknownOutcomeException e) {
                    slots.release(count);
                    unknown = request;
                    unknownKey = key;
                    backoffMs = pause(backoffMs, e);
                    continue;
                } catch (UnavailableException e) {
                    slots.release(count);
                    backoffMs = pause(backoffMs, e);
                    continue;
                } catch (RefusedException e) {
                    slots.release(count);
                    failure.set(e);
                    LOG.log(Level.ERROR, "worker " + agent + " stops claiming from " + queue
                            + ": claim-next was refused: " + e.getMessage());
                    return;
                } catch (BatonException e) {
                    // An answer this client cannot read: a proxy's page, say. Try again later.
                    slots.release(count);
                    backoffMs = pause(backoffMs, e);
                    continue;
                }
                slots.release(count - claimed.size());
                claimed.forEach(this::start);
            }
        } catch (InterruptedException e) {
            // Closing: the loop ends here.
        } catch (IllegalStateException e) {
            LOG.log(Level.WARNING, "worker " + agent + " stops claiming: " + e.getMessage());
        }
    }

    private long pause(long backoffMs, BatonException e) throws InterruptedException {
        if (stopping) {
            throw new InterruptedException("closing");
        }
        long next = Math.min(5_000, Math.max(200, backoffMs * 2));
        LOG.log(Level.WARNING, "worker " + agent + ": claim-next failed, trying again in "
                + next + " ms: " + e.getMessage());
        Thread.sleep(next);
        return next;
    }

    // ----- running -----

    private void start(ClaimHandle claim) {
        active.add(claim);
        try {
            handlers.execute(() -> run(claim));
        } catch (RejectedExecutionException e) {
            // Closing. The claim stays in active for close() to release: this thread may carry
            // the interrupt that stopped it, which would cut a release short.
            slots.release();
        }
    }

    private void run(ClaimHandle claim) {
        try {
            Outcome outcome = runHandler(claim);
            report(claim, outcome);
        } finally {
            active.remove(claim);
            slots.release();
        }
    }

    /** What the handler did: a result, or what it threw. */
    private record Outcome(String result, Throwable thrown) {
    }

    private Outcome runHandler(ClaimHandle claim) {
        Thread self = Thread.currentThread();
        AtomicBoolean inHandler = new AtomicBoolean(true);
        Object guard = new Object();
        claim.onLost(() -> {
            synchronized (guard) {
                if (inHandler.get()) {
                    self.interrupt();
                }
            }
        });
        try {
            if (abandoning) {
                throw new InterruptedException("the worker is closing");
            }
            return new Outcome(handler.handle(new TaskContext(claim)), null);
        } catch (Throwable t) {
            return new Outcome(null, t);
        } finally {
            synchronized (guard) {
                inHandler.set(false);
                // An interrupt meant for the handler must not cut short the report below.
                Thread.interrupted();
            }
        }
    }

    private void report(ClaimHandle claim, Outcome outcome) {
        if (claim.isLost()) {
            LOG.log(Level.INFO, "worker " + agent + " drops the outcome of " + queue + "#"
                    + claim.id() + ": " + claim.lostReason());
            return;
        }
        if (outcome.thrown() != null && abandoning && isInterruption(outcome.thrown())) {
            claim.close(); // Cut short by close(): not the task's fault, so not an attempt.
            return;
        }
        // Past the shutdown grace, one attempt: close() must not wait out retries.
        int attempts = abandoning ? 1 : REPORT_ATTEMPTS;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                if (outcome.thrown() == null) {
                    completeOrFail(claim, outcome.result());
                } else {
                    claim.fail(reason(outcome.thrown()), true, retryDelay);
                }
                return;
            } catch (RefusedException e) {
                LOG.log(Level.INFO, "worker " + agent + ": the outcome of " + queue + "#"
                        + claim.id() + " was refused: " + e.getMessage());
                return;
            } catch (BatonException e) {
                LOG.log(Level.WARNING, "worker " + agent + ": reporting " + queue + "#"
                        + claim.id() + " failed (attempt " + attempt + "): " + e.getMessage());
            } catch (IllegalStateException e) {
                return; // The client was closed.
            }
        }
        claim.close();
    }

    private void completeOrFail(ClaimHandle claim, String result) {
        try {
            claim.complete(result);
            completed.incrementAndGet();
        } catch (RefusedException e) {
            if (!RefusedException.INVALID_ARGUMENT.equals(e.code())
                    && !RefusedException.TOO_LARGE.equals(e.code())) {
                throw e;
            }
            // The result itself is refused (too long, say): retrying cannot help.
            claim.fail(truncate("the result was refused: " + e.getMessage()), false, null);
        }
    }

    private static boolean isInterruption(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Throwable t) {
        String message = t.getMessage();
        return truncate(message == null || message.isBlank() ? t.getClass().getName() : message);
    }

    private static String truncate(String text) {
        return text.length() <= REASON_CHARS_MAX ? text : text.substring(0, REASON_CHARS_MAX);
    }

    // ----- stopping -----

    /**
     * Stops claiming, waits up to the shutdown grace for running handlers, interrupts the rest
     * and releases their tasks, then ends the agent's session. Idempotent; a second caller
     * waits for the first to finish.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitUninterruptibly();
            return;
        }
        boolean interrupted = false;
        try {
            stopping = true;
            poller.interrupt();
            handlers.shutdown();
            try {
                poller.join();
                if (!handlers.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                    abandon();
                }
            } catch (InterruptedException e) {
                interrupted = true;
                abandon();
            }
            for (ClaimHandle claim : active) {
                claim.close();
            }
            client.keepAlives().unpin(keepAlive);
            leave();
        } finally {
            terminated.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void abandon() {
        abandoning = true;
        handlers.shutdownNow();
        try {
            handlers.awaitTermination(Math.max(1_000, client.retryDeadline().toMillis()),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void leave() {
        if (client.keepAlives().isActive(agent)) {
            return; // This client still holds claims for the agent elsewhere.
        }
        try {
            client.leave(agent);
        } catch (NotFoundException e) {
            // No session: nothing to release.
        } catch (BatonException | IllegalStateException e) {
            LOG.log(Level.WARNING, "worker " + agent + " could not end its session; it lapses "
                    + "on its own: " + e.getMessage());
        }
    }

    private void awaitUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The settings of a worker; {@link #handler} is required. */
    public static final class Builder {
        private final BatonClient client;
        private final String queue;
        private final String agent;
        private List<String> capabilities = List.of();
        private Map<String, String> labels = Map.of();
        private int concurrency = 1;
        private Duration pollWait = Duration.ofSeconds(20);
        private Duration sessionTtl = Duration.ofSeconds(30);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Duration retryDelay;
        private TaskHandler handler;

        private Builder(BatonClient client, String queue, String agent) {
            this.client = Objects.requireNonNull(client, "client");
            this.queue = Objects.requireNonNull(queue, "queue");
            this.agent = Objects.requireNonNull(agent, "agent");
        }

        /** What this worker can do: it is handed only tasks whose requires these cover. */
        public Builder capabilities(String... capabilities) {
            this.capabilities = List.of(capabilities);
            return this;
        }

        /** Only tasks carrying every one of these labels. */
        public Builder labels(Map<String, String> labels) {
            this.labels = Map.copyOf(labels);
            return this;
        }

        /** How many handlers may run at once (1 to 100); 1 by default. */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1 || concurrency > CLAIM_COUNT_MAX) {
                throw new IllegalArgumentException("concurrency is 1 to " + CLAIM_COUNT_MAX);
            }
            this.concurrency = concurrency;
            return this;
        }

        /** How long one claim-next waits for work; 20 s by default. */
        public Builder pollWait(Duration pollWait) {
            this.pollWait = Objects.requireNonNull(pollWait);
            return this;
        }

        /** The agent's session TTL: a dead worker's tasks return about this long after. */
        public Builder sessionTtl(Duration sessionTtl) {
            this.sessionTtl = Objects.requireNonNull(sessionTtl);
            return this;
        }

        /** How long {@link Worker#close()} lets running handlers finish; 10 s by default. */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = Objects.requireNonNull(shutdownGrace);
            return this;
        }

        /** How long a task that a handler failed waits before it is ready again. */
        public Builder retryDelay(Duration retryDelay) {
            this.retryDelay = retryDelay;
            return this;
        }

        public Builder handler(TaskHandler handler) {
            this.handler = Objects.requireNonNull(handler);
            return this;
        }

        /** Starts pulsing and claiming. */
        public Worker start() {
            if (handler == null) {
                throw new IllegalStateException("a worker needs a handler");
            }
            Worker worker = new Worker(this);
            worker.poller.start();
            return worker;
        }
    }
}
