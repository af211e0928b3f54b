package dev.baton.server.raft;

import dev.baton.core.Codec;
import dev.baton.core.Limits;
import dev.baton.core.Outcome;
import dev.baton.core.Proposal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Group commit: turns the requests this node receives into as few log entries as possible
 * without making an idle node's requests wait for a timer.
 *
 * <p>A request is sent at once when fewer than {@code maxInFlight} entries are on their way;
 * otherwise it queues, and when an entry comes back everything queued (up to
 * {@link Limits#BATCH_MAX} requests or about 1 MiB) leaves as the next entry. An idle node
 * therefore proposes each request alone, and a busy one proposes one entry per replication
 * round trip, however many requests arrived meanwhile: one fsync, one append, one apply loop
 * for all of them (docs/PERFORMANCE.md has the figures).
 *
 * <p><b>Holding for the answered.</b> When an entry that carried several requests comes back,
 * the callers just answered are likely to send their next request at once (an agent claims,
 * completes, claims again). Sending the next entry straight away would leave them behind it,
 * and a busy node would settle into two half-size entries taking turns, each costing a whole
 * replication round trip. So after such an entry the next one waits until as many requests as
 * it answered have joined those already queued, but never longer than the answered entry took
 * (nor {@link #HOLD_MAX_NANOS}): a request loses at most about one round trip to the hold,
 * which is what missing the entry would have cost it anyway. An entry of one request starts no
 * hold, so a lone caller is never delayed (measured: docs/PERFORMANCE.md, item 16).
 *
 * <p>Requests leave in arrival order and the machine applies a batch in order, so two requests
 * from one caller, the second sent after the first answered, are applied in that order.
 *
 * <p>Nothing is sent from the thread that completed a reply. A RaftClient completes a reply
 * while holding its sliding window's lock; sending the next entry (on another client) from
 * there let two clients each wait for the other's lock, and the node's writes stopped for good
 * (seen under load; ARCHITECTURE.md, "Design decisions"). The requests of a reply are
 * answered on that thread (no hand-off on the way back), but the next entry leaves from
 * {@code sender}, and so does any request proposed while those answers run.
 */
final class Proposer {
    private static final int BATCH_BYTES_MAX = 1 << 20;
    /** The longest hold, however long the answered entry took (an election, a pause). */
    static final long HOLD_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** A queued request, encoded once (its size bounds the batch). */
    private record Pending(byte[] encoded, CompletableFuture<Outcome> answer) {
    }

    private final Function<byte[], CompletableFuture<byte[]>> send;
    private final int maxInFlight;
    private final Executor sender;
    private final ScheduledExecutorService timer;
    private final LongSupplier clock;
    private final long holdMaxNanos;
    /** True on a thread while it answers the requests of a reply (see the class comment). */
    private static final ThreadLocal<Boolean> ANSWERING = ThreadLocal.withInitial(() -> false);
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int inFlight;
    /** While positive, the next entry waits until this many requests are queued. */
    private int holdFor;
    /** Counts holds, so that a timer ends only the hold it was set for. */
    private long holds;

    /**
     * @param send        proposes one encoded batch; completes with the encoded outcomes
     * @param maxInFlight how many entries may be on their way at once
     * @param sender      where entries are sent from after a reply
     * @param timer       ends holds that last too long
     */
    Proposer(Function<byte[], CompletableFuture<byte[]>> send, int maxInFlight,
             Executor sender, ScheduledExecutorService timer) {
        this(send, maxInFlight, sender, timer, System::nanoTime, HOLD_MAX_NANOS);
    }

    /** With the clock that times entries and the longest hold given (tests). */
    Proposer(Function<byte[], CompletableFuture<byte[]>> send, int maxInFlight,
             Executor sender, ScheduledExecutorService timer, LongSupplier clock,
             long holdMaxNanos) {
        this.send = send;
        this.maxInFlight = maxInFlight;
        this.sender = sender;
        this.timer = timer;
        this.clock = clock;
        this.holdMaxNanos = holdMaxNanos;
    }

    CompletableFuture<Outcome> propose(Proposal proposal) {
        CompletableFuture<Outcome> answer = new CompletableFuture<>();
        byte[] encoded = Codec.encodeProposal(proposal);
        synchronized (this) {
            queue.add(new Pending(encoded, answer));
            if (holdFor > 0 && queue.size() >= holdFor) {
                holdFor = 0;
            }
        }
        if (ANSWERING.get()) {
            sendLater();
        } else {
            sendWhatIsQueued();
        }
        return answer;
    }

    /** Sends queued requests as entries while there is room in flight; sends outside the lock. */
    private void sendWhatIsQueued() {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            synchronized (this) {
                if (inFlight >= maxInFlight || queue.isEmpty() || holdFor > 0) {
                    return;
                }
                int bytes = 0;
                while (!queue.isEmpty() && batch.size() < Limits.BATCH_MAX
                        && (batch.isEmpty()
                        || bytes + queue.peek().encoded().length <= BATCH_BYTES_MAX)) {
                    Pending p = queue.poll();
                    bytes += p.encoded().length;
                    batch.add(p);
                }
                inFlight++;
            }
            List<byte[]> proposals = new ArrayList<>(batch.size());
            batch.forEach(p -> proposals.add(p.encoded()));
            long sentAt = clock.getAsLong();
            CompletableFuture<byte[]> sent;
            try {
                sent = send.apply(Codec.encodeBatchOf(proposals));
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((bytes, error) -> {
                boolean more;
                synchronized (this) {
                    inFlight--;
                    if (error == null && batch.size() > 1) {
                        hold(queue.size() + batch.size(), clock.getAsLong() - sentAt);
                    }
                    more = !queue.isEmpty() && holdFor == 0;
                }
                boolean outer = ANSWERING.get();
                ANSWERING.set(true);
                try {
                    answer(batch, bytes, error);
                } finally {
                    ANSWERING.set(outer);
                }
                if (more) {
                    sendLater();
                }
            });
        }
    }

    /**
     * Holds the next entry until {@code requests} are queued, or for as long as the entry just
     * answered took ({@code holdMaxNanos} at most). Called holding this object's lock.
     */
    private void hold(int requests, long tookNanos) {
        if (requests > Limits.BATCH_MAX) {
            return; // A full entry's worth is queued already.
        }
        holdFor = requests;
        long hold = ++holds;
        try {
            timer.schedule(() -> {
                synchronized (this) {
                    if (holds != hold || holdFor == 0) {
                        return;
                    }
                    holdFor = 0;
                }
                sendWhatIsQueued();
            }, Math.min(tookNanos, holdMaxNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            holdFor = 0; // Stopping: what is queued is refused by sendLater.
        }
    }

    /** Sends what is queued from {@code sender}; a node that is stopping fails it instead. */
    private void sendLater() {
        try {
            sender.execute(this::sendWhatIsQueued);
        } catch (RejectedExecutionException e) {
            List<Pending> left;
            synchronized (this) {
                left = new ArrayList<>(queue);
                queue.clear();
            }
            Unavailable stopping = new Unavailable("this node is stopping; retry (with the "
                    + "same Idempotency-Key for writes)", e);
            left.forEach(p -> p.answer().completeExceptionally(stopping));
        }
    }

    private static void answer(List<Pending> batch, byte[] bytes, Throwable error) {
        List<Outcome> outcomes = null;
        if (error == null) {
            try {
                outcomes = Codec.decodeOutcomes(bytes);
                if (outcomes.size() != batch.size()) {
                    error = new IllegalStateException(outcomes.size() + " outcomes for "
                            + batch.size() + " requests");
                }
            } catch (RuntimeException e) {
                error = e;
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            if (error != null) {
                batch.get(i).answer().completeExceptionally(error);
            } else {
                batch.get(i).answer().complete(outcomes.get(i));
            }
        }
    }
}
