package dev.baton.server.raft;

import dev.baton.core.Command;
import dev.baton.core.Limits;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's watch over deadlines; followers never act on their own clocks. While this node
 * leads, it compares the machine's deadlines with the leader's wall clock every 50 ms and
 * proposes what has come due:
 *
 * <ul>
 *   <li>a {@link Command.Tick} when a delayed task's {@code notBefore} has passed;</li>
 *   <li>{@link Command.ExpireSessions} for sessions past their deadline;</li>
 *   <li>{@link Command.StallTasks} for in-progress tasks silent for their {@code stallMs}.</li>
 * </ul>
 *
 * <p>It only ever proposes; applying the entry decides, on every replica alike, and a renewal
 * ordered first wins. A new leader expires nothing sooner than {@code leaseGraceMs} (at most the
 * session's TTL) after it takes over, so agents have time to find it; it does not restart TTLs,
 * so an agent that fell silent before the election still expires about one TTL after its last
 * renewal (cf. etcd's lessor {@code Promote}, which extends instead). Stalls wait likewise,
 * at most the task's {@code stallMs}. If this node lost
 * leadership meanwhile, a proposal is forwarded or fails, and nothing happens that the log did
 * not order (RATIS-NOTES P5).
 */
public final class LeaderTicker implements TaskStateMachine.LeadershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderTicker.class);
    private static final long PERIOD_MS = 50;

    private final RaftNode node;
    private final long leaseGraceMs;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> {
                Thread t = new Thread(r, "baton-leader-ticker");
                t.setDaemon(true);
                return t;
            });
    private final AtomicBoolean tickInFlight = new AtomicBoolean();
    private final AtomicBoolean expiryInFlight = new AtomicBoolean();
    private final AtomicBoolean stallInFlight = new AtomicBoolean();
    private ScheduledFuture<?> task;
    private volatile long leaderSinceNanos;

    public LeaderTicker(RaftNode node, long leaseGraceMs) {
        this.node = node;
        this.leaseGraceMs = leaseGraceMs;
    }

    @Override
    public synchronized void leaderReady() {
        if (task == null) {
            leaderSinceNanos = System.nanoTime();
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
            long now = System.currentTimeMillis();
            long leaderForMs = (System.nanoTime() - leaderSinceNanos) / 1_000_000;
            TaskStateMachine sm = node.stateMachine();
            if (sm.read(r -> r.nextDelayedMs()) <= now) {
                propose(tickInFlight, new Command.Tick());
            }
            List<Command.SessionDue> expiring = new ArrayList<>();
            for (Session s : sm.read(r -> r.sessionsDueBy(now, Limits.EXPIRE_BATCH_MAX))) {
                if (leaderForMs >= Math.min(leaseGraceMs, s.ttlMs())) {
                    expiring.add(new Command.SessionDue(s.agent(), s.renewals()));
                }
            }
            if (!expiring.isEmpty()) {
                propose(expiryInFlight, new Command.ExpireSessions(expiring));
            }
            List<Command.TaskDue> stalled = new ArrayList<>();
            for (Task t : sm.read(r -> r.stallsDueBy(now, Limits.EXPIRE_BATCH_MAX))) {
                if (leaderForMs >= Math.min(leaseGraceMs, t.stallMs())) {
                    stalled.add(new Command.TaskDue(t.queue(), t.id(), t.token()));
                }
            }
            if (!stalled.isEmpty()) {
                propose(stallInFlight, new Command.StallTasks(stalled));
            }
        } catch (RuntimeException e) {
            LOG.debug("leader check skipped: {}", e.toString());
        }
    }

    /** One proposal of each kind at a time: the next check sees what the last one did. */
    private void propose(AtomicBoolean inFlight, Command command) {
        if (inFlight.compareAndSet(false, true)) {
            node.submit(null, command).whenComplete((o, e) -> inFlight.set(false));
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
