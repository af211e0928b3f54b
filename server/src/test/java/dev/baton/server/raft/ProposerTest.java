package dev.baton.server.raft;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.core.Codec;
import dev.baton.core.Command;
import dev.baton.core.Entry;
import dev.baton.core.Outcome;
import dev.baton.core.Proposal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit as a node sees it: requests leave at once while there is room in flight, and
 * whatever queued meanwhile leaves as one entry, each request getting its own outcome back.
 */
class ProposerTest {
    /** The entries sent, and their replies still to come. */
    private final List<List<Entry>> sent = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<byte[]>> replies = new CopyOnWriteArrayList<>();
    /** Ends holds; the tests' steps otherwise run where they are called, in order. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private final Proposer proposer = proposer(2);

    /** Replies are handled where they complete, so the steps of a test stay in order. */
    private Proposer proposer(int maxInFlight) {
        return proposer(maxInFlight, System::nanoTime, Proposer.HOLD_MAX_NANOS);
    }

    private Proposer proposer(int maxInFlight, LongSupplier clock, long holdMaxNanos) {
        return new Proposer(batch -> {
            byte[] stamped = ByteBuffer.allocate(8 + batch.length).putLong(1).put(batch).array();
            sent.add(Codec.decodeEntries(stamped));
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }, maxInFlight, Runnable::run, timer, clock, holdMaxNanos);
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private static Proposal pulse(String agent) {
        return new Proposal("key-" + agent, new Command.Pulse(agent, 10_000));
    }

    /** Answers entry i with one outcome per request: a rejection naming the request's agent. */
    private void answer(int i) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Entry e : sent.get(i)) {
            outcomes.add(Outcome.Rejected.invalid(((Command.Pulse) e.command()).agent()));
        }
        replies.get(i).complete(Codec.encodeOutcomes(outcomes));
    }

    private static String agentIn(CompletableFuture<Outcome> f) throws Exception {
        return ((Outcome.Rejected) f.get()).message();
    }

    @Test
    void anIdleNodeSendsEachRequestAtOnceAndABusyOneSendsWhatQueuedAsOneEntry()
            throws Exception {
        CompletableFuture<Outcome> a = proposer.propose(pulse("a"));
        CompletableFuture<Outcome> b = proposer.propose(pulse("b"));
        assertEquals(2, sent.size(), "two entries may be in flight");
        List<CompletableFuture<Outcome>> queued = new ArrayList<>();
        for (String agent : List.of("c", "d", "e")) {
            queued.add(proposer.propose(pulse(agent)));
        }
        assertEquals(2, sent.size(), "the rest waits for room");

        answer(1);
        assertEquals("b", agentIn(b));
        assertEquals(3, sent.size());
        assertEquals(List.of("key-c", "key-d", "key-e"),
                sent.get(2).stream().map(Entry::idempotencyKey).toList(),
                "what queued leaves together, in arrival order");
        answer(2);
        assertEquals(List.of("c", "d", "e"), List.of(agentIn(queued.get(0)),
                agentIn(queued.get(1)), agentIn(queued.get(2))));
        assertFalse(a.isDone());
        answer(0);
        assertEquals("a", agentIn(a));
    }

    @Test
    void afterAnsweringSeveralABusyNodeHoldsTheNextEntryForThemButNotLongerThanAnEntryTook()
            throws Exception {
        // Entries are timed on this clock; holds are cut short after a minute, not 5 ms, so
        // that a slow test machine cannot end one before the test looks.
        AtomicLong clock = new AtomicLong();
        Proposer oneInFlight = proposer(1, clock::get, TimeUnit.MINUTES.toNanos(1));
        oneInFlight.propose(pulse("a"));
        oneInFlight.propose(pulse("b"));
        oneInFlight.propose(pulse("c"));
        answer(0); // One request answered: no hold, b and c leave together at once.
        assertEquals(2, sent.size());
        clock.addAndGet(TimeUnit.MINUTES.toNanos(1)); // Their entry takes a minute.
        answer(1);

        CompletableFuture<Outcome> d = oneInFlight.propose(pulse("d"));
        assertEquals(2, sent.size(), "d waits for the two just answered to come back");
        oneInFlight.propose(pulse("e"));
        assertEquals(3, sent.size(), "as many as were answered are back: they leave at once");
        assertEquals(List.of("key-d", "key-e"),
                sent.get(2).stream().map(Entry::idempotencyKey).toList());

        answer(2); // Its entry took no time on the clock, and so does the hold it starts.
        CompletableFuture<Outcome> f = oneInFlight.propose(pulse("f"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 4);
        assertEquals(List.of("key-f"), sent.get(3).stream().map(Entry::idempotencyKey).toList(),
                "alone, once the hold ran out");
        answer(3);
        assertEquals("d", agentIn(d));
        assertEquals("f", agentIn(f));

        oneInFlight.propose(pulse("g")); // f's entry carried one: no hold after it.
        assertEquals(5, sent.size());
    }

    @Test
    void aFailedEntryFailsEveryRequestInItAndTheNextOnesStillGo() throws Exception {
        proposer.propose(pulse("a"));
        proposer.propose(pulse("b"));
        CompletableFuture<Outcome> c = proposer.propose(pulse("c"));
        CompletableFuture<Outcome> d = proposer.propose(pulse("d"));
        replies.get(0).completeExceptionally(new Unavailable("no leader", null));
        assertEquals(3, sent.size());
        replies.get(2).completeExceptionally(new Unavailable("no leader", null));
        ExecutionException failed = assertThrows(ExecutionException.class, c::get);
        assertInstanceOf(Unavailable.class, failed.getCause());
        assertTrue(d.isCompletedExceptionally());

        CompletableFuture<Outcome> e = proposer.propose(pulse("e"));
        assertEquals(4, sent.size());
        answer(3);
        assertEquals("e", agentIn(e));
    }

    @Test
    void nothingIsSentFromTheThreadThatCompletedAReply() throws Exception {
        // A RaftClient completes a reply holding its window's lock. Sending an entry from
        // there (on another client) let two clients wait for each other's lock: the node's
        // writes stopped for good. Neither what queued meanwhile nor what an answer's
        // continuation proposes may leave from that thread.
        ExecutorService senderThread = Executors.newSingleThreadExecutor();
        List<Thread> senders = new CopyOnWriteArrayList<>();
        List<List<Entry>> entries = new CopyOnWriteArrayList<>();
        List<CompletableFuture<byte[]>> pending = new CopyOnWriteArrayList<>();
        Proposer oneInFlight = new Proposer(batch -> {
            senders.add(Thread.currentThread());
            byte[] stamped = ByteBuffer.allocate(8 + batch.length).putLong(1).put(batch).array();
            entries.add(Codec.decodeEntries(stamped));
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            pending.add(reply);
            return reply;
        }, 1, senderThread, timer);
        try {
            CompletableFuture<Outcome> a = oneInFlight.propose(pulse("a"));
            CompletableFuture<Outcome> b = oneInFlight.propose(pulse("b"));
            assertEquals(1, senders.size(), "b waits for a's entry");
            List<CompletableFuture<Outcome>> followUp = new CopyOnWriteArrayList<>();
            a.thenRun(() -> followUp.add(oneInFlight.propose(pulse("c"))));

            Thread replier = new Thread(() -> pending.get(0).complete(
                    Codec.encodeOutcomes(List.of(Outcome.Rejected.invalid("a")))));
            replier.start();
            replier.join();
            assertEquals("a", ((Outcome.Rejected) a.get(10, TimeUnit.SECONDS)).message());
            await().atMost(Duration.ofSeconds(10)).until(() -> senders.size() == 2);
            assertNotSame(replier, senders.get(1));
            assertEquals(List.of("key-b", "key-c"),
                    entries.get(1).stream().map(Entry::idempotencyKey).toList());
            assertFalse(b.isDone());
            assertEquals(1, followUp.size());
        } finally {
            senderThread.shutdownNow();
        }
    }

    @Test
    void requestsQueuedWhenTheNodeStopsAreRefusedNotLeftUnanswered() throws Exception {
        ExecutorService stopped = Executors.newSingleThreadExecutor();
        stopped.shutdown();
        List<CompletableFuture<byte[]>> pending = new ArrayList<>();
        Proposer p = new Proposer(batch -> {
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            pending.add(reply);
            return reply;
        }, 1, stopped, timer);

        CompletableFuture<Outcome> first = p.propose(pulse("a"));
        CompletableFuture<Outcome> queued = p.propose(pulse("b"));
        assertEquals(1, pending.size());
        pending.get(0).completeExceptionally(new Unavailable("no leader", null));

        assertTrue(first.isCompletedExceptionally());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> queued.get(5, TimeUnit.SECONDS));
        assertInstanceOf(Unavailable.class, e.getCause());
    }
}
