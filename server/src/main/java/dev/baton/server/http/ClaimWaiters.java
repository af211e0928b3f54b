package dev.baton.server.http;

import dev.baton.core.Command;
import dev.baton.core.Outcome;
import dev.baton.server.raft.RaftNode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claim-next with {@code waitMs}: a long poll that holds no thread per waiting request.
 *
 * <p>A waiting claim is a future plus its filters. It first proposes a claim-next like any
 * other; if that grants nothing, it parks. After every applied entry (a new task, a completed
 * blocker, a release, an expiry, a tick for a delayed task) one pass over the parked claims asks
 * the local state whether a claim-next with each one's filters could take something, and only
 * those propose again. The local state may lag the leader; it only decides when to try, never
 * what is granted. At the deadline a parked claim answers with nothing.
 */
final class ClaimWaiters implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimWaiters.class);

    private final RaftNode node;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> {
                Thread t = new Thread(r, "baton-claim-waiters");
                t.setDaemon(true);
                return t;
            });
    private final Set<Waiter> parked = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean passPending = new AtomicBoolean();

    ClaimWaiters(RaftNode node) {
        this.node = node;
        node.stateMachine().addAppliedListener(this);
    }

    private final class Waiter {
        final String idempotencyKey;
        final Command.ClaimNext command;
        final long deadlineNanos;
        final CompletableFuture<Outcome> answer = new CompletableFuture<>();

        Waiter(String idempotencyKey, Command.ClaimNext command, long waitMs) {
            this.idempotencyKey = idempotencyKey;
            this.command = command;
            this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        }

        void attempt() {
            if (answer.isDone()) {
                return; // Cancelled: the client went away.
            }
            node.submit(idempotencyKey, command).whenComplete((outcome, failure) -> {
                if (failure != null) {
                    answer.completeExceptionally(failure);
                } else if (isEmpty(outcome) && System.nanoTime() < deadlineNanos) {
                    park(this);
                } else {
                    answer.complete(outcome);
                }
            });
        }
    }

    /** Proposes a claim-next, waiting up to {@code waitMs} for something to claim. */
    CompletableFuture<Outcome> claimNext(String idempotencyKey, Command.ClaimNext command,
                                         long waitMs) {
        Waiter w = new Waiter(idempotencyKey, command, waitMs);
        w.answer.whenComplete((o, e) -> parked.remove(w));
        w.attempt();
        return w.answer;
    }

    private void park(Waiter w) {
        parked.add(w);
        long left = w.deadlineNanos - System.nanoTime();
        timer.schedule(() -> {
            if (parked.remove(w)) {
                w.answer.complete(new Outcome.ClaimedMany(List.of()));
            }
        }, Math.max(0, left), TimeUnit.NANOSECONDS);
        // Something may have become claimable between the empty answer and now.
        run();
    }

    /** Called after every applied entry, on the applying thread: only schedules a pass. */
    @Override
    public void run() {
        if (!parked.isEmpty() && passPending.compareAndSet(false, true)) {
            timer.execute(this::pass);
        }
    }

    private void pass() {
        passPending.set(false);
        for (Waiter w : parked) {
            try {
                boolean worthTrying = node.stateMachine().read(r -> r.hasClaimable(
                        w.command.queue(), w.command.capabilities(), w.command.labels()));
                if (worthTrying && parked.remove(w)) {
                    w.attempt();
                }
            } catch (RuntimeException e) {
                LOG.debug("waiting claim not checked: {}", e.toString());
            }
        }
    }

    private static boolean isEmpty(Outcome outcome) {
        return outcome instanceof Outcome.ClaimedMany many && many.claims().isEmpty();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (Waiter w : parked) {
            w.answer.complete(new Outcome.ClaimedMany(List.of()));
        }
    }
}
