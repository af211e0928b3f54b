package dev.baton.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A claim this client holds, kept alive while the work runs: its agent's session is pulsed in
 * the background (every TTL/3, one loop per agent, see {@link BatonClient.Builder#sessionTtl}).
 * End it with {@link #complete}, {@link #fail}, {@link #release} or {@link #handOff};
 * {@link #close()} releases it if none of these did, so try-with-resources never leaks a claim.
 *
 * <pre>{@code
 * try (ClaimHandle claim = client.claim("default", 41, "agent:run_7a1")) {
 *     claim.progress("halfway", 50);
 *     claim.complete("done");
 * }
 * }</pre>
 *
 * <p>Lost claims: when a pulse shows that the session no longer holds this claim (it expired,
 * was handed off, or the task was deleted), the handle is marked {@linkplain #isLost() lost}
 * and no longer kept alive. Nothing else changes: a later {@code complete} is refused by the
 * server with {@code stale_token}, because the fencing token is no longer the task's.
 *
 * <p>Retries: each owner call retries through every node until the client's deadline. If it
 * still throws {@link UnknownOutcomeException}, calling the same method again with the same
 * arguments reuses the same Idempotency-Key, so that a complete that did apply is answered
 * as it was rather than refused as stale.
 *
 * <p>Thread-safe. The owner calls of one handle are meant to come from one thread at a time.
 */
public final class ClaimHandle implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClaimHandle.class.getName());

    private enum State { OPEN, ENDING, DONE, LOST }

    private final BatonClient client;
    private final String agent;
    private final long token;
    private volatile Task task;
    private State state = State.OPEN; // Guarded by this.
    private String lostReason; // Guarded by this.
    private Runnable lossListener; // Guarded by this.
    private String pendingCall; // Guarded by this: the call whose outcome is unknown...
    private String pendingKey; // ...and the key it was sent with.
    private boolean registered; // Guarded by this.

    ClaimHandle(BatonClient client, String agent, Task task, long token) {
        this.client = client;
        this.agent = agent;
        this.task = task;
        this.token = token;
    }

    /** Starts keeping the claim alive; called once, right after the claim was granted. */
    ClaimHandle keepAlive(KeepAlives keepAlives) {
        // Marked first: a pulse can judge the handle as soon as it is registered, and a loss
        // must then unregister it.
        synchronized (this) {
            registered = true;
        }
        keepAlives.register(this);
        return this;
    }

    /** The task as last returned by the server to this handle. */
    public Task task() {
        return task;
    }

    public String queue() {
        return task.queue();
    }

    public long id() {
        return task.id();
    }

    public String agent() {
        return agent;
    }

    /** The fencing token of this claim. */
    public long token() {
        return token;
    }

    /** Whether the cluster showed that this claim is no longer held. */
    public synchronized boolean isLost() {
        return state == State.LOST;
    }

    /** Why the claim was lost, or null. */
    public synchronized String lostReason() {
        return lostReason;
    }

    /** Whether the claim is neither ended by this handle nor known to be lost. */
    public synchronized boolean isOpen() {
        return state == State.OPEN || state == State.ENDING;
    }

    /** Reports progress (either may be null); this also renews the agent's session. */
    public Task progress(String note, Integer percent) {
        return call("progress " + note + " " + percent, false,
                key -> client.progress(queue(), id(), token, note, percent, key));
    }

    /** Completes the task with this result (may be null). */
    public Task complete(String result) {
        return call("complete " + result, true,
                key -> client.complete(queue(), id(), token, result, key));
    }

    /** Fails this attempt; the task is retried (if attempts remain) at once. */
    public Task fail(String reason) {
        return fail(reason, true, null);
    }

    /**
     * Fails this attempt.
     *
     * @param retry whether the task may be tried again while attempts remain
     * @param retryDelay how long before it is ready again, or null for at once
     */
    public Task fail(String reason, boolean retry, Duration retryDelay) {
        return call("fail " + reason + " " + retry + " " + retryDelay, true,
                key -> client.fail(queue(), id(), token, reason, retry, retryDelay, key));
    }

    /** Gives the task back, pending again; a voluntary release does not count as an attempt. */
    public Task release() {
        return call("release", true, key -> client.release(queue(), id(), token, key));
    }

    /**
     * Hands the task to another live agent, with a new token for it; this handle ends.
     * The receiver holds a plain claim: this client does not keep its session alive.
     */
    public Claim handOff(String to, String note) {
        Claim[] claim = new Claim[1];
        call("handoff " + to + " " + note, true, key -> {
            claim[0] = client.handOff(queue(), id(), token, to, note, key);
            return claim[0].task();
        });
        return claim[0];
    }

    /** Releases the task unless it was ended or lost; never throws. */
    @Override
    public void close() {
        boolean open;
        synchronized (this) {
            open = state == State.OPEN;
        }
        if (open) {
            try {
                release();
            } catch (RefusedException e) {
                LOG.log(Level.DEBUG, "release on close refused: " + e.getMessage());
            } catch (BatonException | IllegalStateException e) {
                LOG.log(Level.WARNING, "release of " + queue() + "#" + id() + " on close failed;"
                        + " it stays claimed until the agent's session lapses: " + e.getMessage());
            }
        }
        stopKeepingAlive();
    }

    /**
     * Runs one owner call. An ending call (complete, fail, release, handoff) moves the handle
     * to ENDING while it is in flight, so that a pulse answered meanwhile, which may no longer
     * list the claim because this very call ended it, does not mark it lost.
     */
    private Task call(String signature, boolean ending, Function<String, Task> send) {
        String key;
        State before;
        synchronized (this) {
            if (state == State.DONE) {
                throw new IllegalStateException("the claim on " + queue() + "#" + id()
                        + " was already ended through this handle");
            }
            before = state;
            if (ending && state == State.OPEN) {
                state = State.ENDING;
            }
            if (!signature.equals(pendingCall)) {
                pendingCall = signature;
                pendingKey = BatonClient.newIdempotencyKey();
            }
            key = pendingKey;
        }
        try {
            Task t = send.apply(key);
            task = t;
            settle(ending ? State.DONE : before);
            return t;
        } catch (RefusedException e) {
            boolean gone = RefusedException.STALE_TOKEN.equals(e.code())
                    || RefusedException.NOT_FOUND.equals(e.code());
            if (gone && !isLost()) {
                lose("the server refused the token: " + e.code());
            }
            settle(gone ? State.LOST : before);
            throw e;
        } catch (RuntimeException e) {
            // Unknown or unavailable: the claim may still be held, and a retry reuses the key.
            synchronized (this) {
                if (state == State.ENDING) {
                    state = before;
                }
            }
            throw e;
        }
    }

    private void settle(State next) {
        synchronized (this) {
            pendingCall = null;
            pendingKey = null;
            if (state != State.LOST || next == State.DONE) {
                state = next;
            }
        }
        if (next == State.DONE || next == State.LOST) {
            stopKeepingAlive();
        }
    }

    /** Called by the keep-alive when a pulse no longer lists this claim. */
    void markLost(String reason) {
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
        }
        // Stop pulsing for it first, so that whoever sees the claim lost also sees that this
        // client no longer keeps the agent alive for it.
        stopKeepingAlive();
        Runnable listener;
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            listener = lose(reason);
        }
        if (listener != null) {
            listener.run();
        }
    }

    private synchronized Runnable lose(String reason) {
        state = State.LOST;
        lostReason = reason;
        LOG.log(Level.INFO, "claim on " + queue() + "#" + id() + " (token " + token
                + ") lost: " + reason);
        return lossListener;
    }

    /** Runs the listener when the claim is found lost, or at once if it already is. */
    void onLost(Runnable listener) {
        boolean lostAlready;
        synchronized (this) {
            lossListener = Objects.requireNonNull(listener);
            lostAlready = state == State.LOST;
        }
        if (lostAlready) {
            listener.run();
        }
    }

    private void stopKeepingAlive() {
        synchronized (this) {
            if (!registered) {
                return;
            }
            registered = false;
        }
        client.keepAlives().unregister(this);
    }

    @Override
    public String toString() {
        return "ClaimHandle[" + queue() + "#" + id() + " token " + token + " by " + agent + "]";
    }
}
