package dev.baton.server.raft;

import dev.baton.core.Command;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets leader time reach the log when nothing else is written. While this node leads, it
 * watches the machine's next deadline (a delayed task coming due) against the leader's wall
 * clock and, once it has passed, proposes a {@link Command.Tick}. Applying the tick is what
 * changes state, on every replica alike; followers never act on their own clocks.
 *
 * <p>It only ever proposes: if this node lost leadership meanwhile, the proposal is forwarded or
 * fails, and nothing happens that the log did not order (RATIS-NOTES P5).
 */
public final class LeaderTicker implements TaskStateMachine.LeadershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderTicker.class);
    private static final long PERIOD_MS = 50;

    private final RaftNode node;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> {
                Thread t = new Thread(r, "baton-leader-ticker");
                t.setDaemon(true);
                return t;
            });
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private ScheduledFuture<?> task;

    public LeaderTicker(RaftNode node) {
        this.node = node;
    }

    @Override
    public synchronized void leaderReady() {
        if (task == null) {
            task = timer.scheduleWithFixedDelay(this::check, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void leadershipLost() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void check() {
        try {
            long deadline = node.stateMachine().nextDeadlineMs();
            if (deadline <= System.currentTimeMillis() && inFlight.compareAndSet(false, true)) {
                node.submit(null, new Command.Tick()).whenComplete((o, e) -> inFlight.set(false));
            }
        } catch (RuntimeException e) {
            LOG.warn("leader tick failed; will try again", e);
            inFlight.set(false);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
