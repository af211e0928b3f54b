package dev.baton.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps agent sessions alive while this client holds claims for them. A claim's lease is its
 * agent's session, so there is one pulse loop per agent, not per claim: it pulses at once, then
 * every TTL/3, while the agent has an open {@link ClaimHandle} or a {@link Worker} pins it.
 *
 * <p>Each pulse answers with every claim the session still holds, which tells the handles
 * whether theirs is gone (expired, handed off, deleted, or released because the session had
 * lapsed). Only the handles registered before the pulse was sent are judged: their claims were
 * granted before the pulse, so a linearizable pulse would list them; a claim whose answer came
 * back while the pulse was in flight may have been granted after it.
 *
 * <p>Threads: one daemon scheduler thread ticks (and runs the event streams' watchdogs, see
 * {@link #every}); pulses run on a separate daemon pool so that a
 * slow pulse (a failover can take seconds) never delays another agent's tick, and at most one
 * pulse per agent is in flight. The registry is guarded by this object's monitor; no lock is held
 * during a pulse.
 */
final class KeepAlives implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KeepAlives.class.getName());
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final BatonClient client;
    private final Duration defaultTtl;
    private final int number = CLIENTS.incrementAndGet();
    private final Map<String, Agent> agents = new HashMap<>();
    private ScheduledExecutorService scheduler;
    private ExecutorService pulses;
    private volatile boolean closed;

    KeepAlives(BatonClient client, Duration defaultTtl) {
        this.client = client;
        this.defaultTtl = defaultTtl;
    }

    /** One agent's pulse loop. Fields other than the atomics are guarded by KeepAlives.this. */
    final class Agent {
        final String name;
        final Duration ttl;
        final Set<ClaimHandle> held = new LinkedHashSet<>();
        final AtomicBoolean pulsing = new AtomicBoolean();
        int pins;
        ScheduledFuture<?> tick;

        Agent(String name, Duration ttl) {
            this.name = name;
            this.ttl = ttl;
        }

        private void tick() {
            if (!pulsing.compareAndSet(false, true)) {
                return; // The previous pulse is still trying; it carries the same news.
            }
            try {
                pulses.execute(() -> {
                    try {
                        pulseOnce();
                    } finally {
                        pulsing.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                pulsing.set(false); // Closing.
            }
        }

        private void pulseOnce() {
            List<ClaimHandle> judged;
            synchronized (KeepAlives.this) {
                judged = new ArrayList<>(held);
            }
            PulseResult result;
            try {
                // Retrying past TTL/3 is pointless: the next tick sends a fresh pulse.
                result = client.pulseWithin(name, ttl, ttl.dividedBy(3));
            } catch (RefusedException e) {
                LOG.log(Level.ERROR, "pulse of agent " + name + " refused: " + e.getMessage());
                return;
            } catch (BatonException | IllegalStateException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "pulse of agent " + name + " failed; the next tick "
                            + "tries again: " + e.getMessage());
                }
                return;
            }
            for (ClaimHandle h : judged) {
                if (!result.holds(h.queue(), h.id(), h.token())) {
                    h.markLost(result.revived() ? "the agent's session had expired"
                            : "the session no longer holds this claim");
                }
            }
        }
    }

    /** Keeps the agent alive until {@link #unpin}, with this TTL if no loop runs for it yet. */
    synchronized Agent pin(String agent, Duration ttl) {
        Agent a = agentFor(agent, ttl);
        a.pins++;
        return a;
    }

    synchronized void unpin(Agent a) {
        a.pins--;
        stopIfIdle(a);
    }

    /** Keeps the handle's agent alive until the handle is unregistered. */
    synchronized Agent register(ClaimHandle handle) {
        Agent a = agentFor(handle.agent(), defaultTtl);
        a.held.add(handle);
        return a;
    }

    synchronized void unregister(ClaimHandle handle) {
        Agent a = agents.get(handle.agent());
        if (a != null && a.held.remove(handle)) {
            stopIfIdle(a);
        }
    }

    /** Whether this client keeps anything alive for the agent (pins or open handles). */
    synchronized boolean isActive(String agent) {
        return agents.containsKey(agent);
    }

    private Agent agentFor(String name, Duration ttl) {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        Agent a = agents.get(name);
        if (a == null) {
            startThreads();
            a = new Agent(name, ttl);
            long periodMs = Math.max(1, ttl.toMillis() / 3);
            Agent started = a;
            a.tick = scheduler.scheduleAtFixedRate(started::tick, 0, periodMs,
                    TimeUnit.MILLISECONDS);
            agents.put(name, a);
        }
        return a;
    }

    private void stopIfIdle(Agent a) {
        if (a.pins <= 0 && a.held.isEmpty() && agents.get(a.name) == a) {
            a.tick.cancel(false);
            agents.remove(a.name);
        }
    }

    private void startThreads() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(
                    daemons("baton-keepalive-" + number));
            pulses = Executors.newCachedThreadPool(daemons("baton-pulse-" + number));
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Runs a light periodic task on the scheduler thread (an event stream's watchdog): it must
     * not block.
     */
    synchronized ScheduledFuture<?> every(long periodMs, Runnable task) {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        startThreads();
        return scheduler.scheduleWithFixedDelay(task, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Stops every pulse loop at once; claims are not released (their sessions lapse). */
    @Override
    public synchronized void close() {
        closed = true;
        agents.values().forEach(a -> a.tick.cancel(false));
        agents.clear();
        if (scheduler != null) {
            scheduler.shutdownNow();
            pulses.shutdownNow();
        }
    }
}
