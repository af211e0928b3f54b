package dev.baton.server.raft;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis clients a follower sends its entries through, taken in turn, each replaced by a new
 * one as soon as a request through it fails.
 *
 * <p>Why replaced: an ordered async Ratis client whose request runs out of retries (or meets an
 * error it does not retry) fails everything it has outstanding and then every request it is
 * given afterwards, for good: its sliding window keeps the exception and nothing resets it
 * ({@code SlidingWindow.Client.fail}, 3.3.0; RATIS-NOTES P8). Without this, a node that once went
 * four seconds without a leader answered a share of its writes with an immediate 503 forever
 * after, one for each client that had failed.
 *
 * <p>A failed client is closed once the requests it still carries have finished, so that
 * replacing it never cuts short a request that could still succeed.
 */
final class WriteClients implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteClients.class);

    private final Supplier<RaftClient> factory;
    /**
     * Closes failed clients: closing one waits up to five seconds for its gRPC channels, which no
     * thread of the write path may spend.
     */
    private final ExecutorService closer = Executors.newSingleThreadExecutor(
            new DefaultThreadFactory("baton-client-closer", true));
    private final AtomicReferenceArray<Pooled> slots;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger replaced = new AtomicInteger();

    /**
     * @param size how many clients to take in turn
     * @param factory makes a new client
     */
    WriteClients(int size, Supplier<RaftClient> factory) {
        this.factory = factory;
        this.slots = new AtomicReferenceArray<>(size);
        for (int i = 0; i < size; i++) {
            slots.set(i, new Pooled(factory.get()));
        }
    }

    /** Sends a write through the next client; completes as the client's reply does. */
    CompletableFuture<RaftClientReply> send(Message message) {
        int slot = Math.floorMod(next.getAndIncrement(), slots.length());
        Pooled pooled = slots.get(slot);
        pooled.outstanding.incrementAndGet();
        return pooled.client.async().send(message).whenComplete((reply, error) -> {
            if (error != null || reply == null || !reply.isSuccess()) {
                retire(slot, pooled);
            }
            if (pooled.outstanding.decrementAndGet() == 0 && pooled.retired) {
                closeLater(pooled);
            }
        });
    }

    /** How many clients have been replaced since the node started. */
    int replaced() {
        return replaced.get();
    }

    private void retire(int slot, Pooled failed) {
        if (failed.retired) {
            return;
        }
        Pooled fresh = new Pooled(factory.get());
        if (!slots.compareAndSet(slot, failed, fresh)) {
            closeLater(fresh);
            return;
        }
        failed.retired = true;
        replaced.incrementAndGet();
        LOG.info("write client {} failed a request; replaced it with {}",
                failed.client.getId(), fresh.client.getId());
        // Closed here if nothing is outstanding any more, else by its last request.
        if (failed.outstanding.get() == 0) {
            closeLater(failed);
        }
    }

    private void closeLater(Pooled pooled) {
        if (pooled.closing.compareAndSet(false, true)) {
            closer.execute(() -> closeQuietly(pooled.client));
        }
    }

    private static void closeQuietly(RaftClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("closing write client {}: {}", client.getId(), e.toString());
        }
    }

    @Override
    public void close() {
        closer.shutdown();
        for (int i = 0; i < slots.length(); i++) {
            closeQuietly(slots.get(i).client);
        }
    }

    private static final class Pooled {
        final RaftClient client;
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicBoolean closing = new AtomicBoolean();
        volatile boolean retired;

        Pooled(RaftClient client) {
            this.client = client;
        }
    }
}
