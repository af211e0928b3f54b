package dev.baton.core;

import dev.baton.core.Outcome.Rejected;
import dev.baton.core.model.EventType;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskRef;
import dev.baton.core.model.TaskStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a claim is decided: claim by id, claim-next, the owner's calls (progress, complete,
 * fail, release, handoff), agent sessions, and the leader-proposed expiry of sessions and
 * stalled tasks.
 *
 * <p>Exactly one winner follows from Raft: claims are entries, applied one at a time in log
 * order, and the first that finds the task ready takes it; every later one finds it in progress.
 * Every grant draws the next fencing token from one counter, so tokens are unique and strictly
 * increasing in log order, and an owner's call must name the current token.
 *
 * <p>Invariant: a task is in progress exactly when its owner's live session lists it with the
 * same token. Sessions end only through {@link #leave} and {@link #expire}, which release every
 * task they list.
 */
final class ClaimRules {
    private final Mutations m;

    ClaimRules(Mutations m) {
        this.m = m;
    }

    // ----- claims -----

    Outcome claim(long index, Command.ClaimTask c) {
        Task t = m.task(c.queue(), c.id());
        if (t == null) {
            return TaskRules.notFound(c.queue(), c.id());
        }
        if (t.status() == TaskStatus.IN_PROGRESS && c.agent().equals(t.owner())) {
            // The same agent again: same token, same claimedAt, no event. It still counts as
            // activity, for the lease and for stallMs ("no progress, complete or claim").
            Task.Builder b = t.toBuilder();
            b.lastActivityMs = m.nowMs;
            Task after = b.build();
            m.save(t, after);
            Session s = m.session(c.agent());
            m.saveSession(s, m.renewed(s, c.agent(), c.sessionTtlMs()));
            return new Outcome.Claimed(after, t.token(), true);
        }
        Rejected refused = gate(t);
        if (refused == null) {
            List<Long> conflicts = conflicts(m.tables, t);
            if (!conflicts.isEmpty()) {
                refused = new Rejected(Rejection.RESOURCE_CONFLICT, "task " + t.ref()
                        + " writes resources that in-progress tasks " + ids(conflicts)
                        + " also write", Map.of("conflicts", conflicts));
            }
        }
        if (refused == null) {
            refused = capacity(m.session(c.agent()), c.agent());
        }
        return refused != null ? refused : grant(index, t, c.agent(), c.sessionTtlMs());
    }

    /** Why a task cannot be claimed now by anyone, or null when it can. */
    private Rejected gate(Task t) {
        switch (t.status()) {
            case IN_PROGRESS:
                return new Rejected(Rejection.ALREADY_CLAIMED, "task " + t.ref()
                        + " is already claimed by " + t.owner(), Map.of("owner", t.owner()));
            case COMPLETED:
            case FAILED:
            case DELETED:
                return new Rejected(Rejection.NOT_CLAIMABLE, "task " + t.ref() + " is "
                        + t.status().wireName(), Map.of("status", t.status().wireName()));
            default:
                break;
        }
        if (!t.blockedBy().isEmpty()) {
            return new Rejected(Rejection.BLOCKED, "task " + t.ref() + " waits on "
                    + ids(t.blockedBy()), Map.of("blockedBy", t.blockedBy()));
        }
        if (!t.isReadyAt(m.nowMs)) {
            return Rejected.of(Rejection.NOT_READY, "task " + t.ref()
                    + " is not due yet (notBefore is in the future)");
        }
        return null;
    }

    private static Rejected capacity(Session s, String agent) {
        if (s != null && s.claims().size() >= Limits.CLAIMS_PER_AGENT_MAX) {
            return Rejected.invalid("agent " + agent + " already holds "
                    + Limits.CLAIMS_PER_AGENT_MAX + " tasks");
        }
        return null;
    }

    Outcome claimNext(long index, Command.ClaimNext c) {
        Session s = m.session(c.agent());
        int room = Limits.CLAIMS_PER_AGENT_MAX - (s == null ? 0 : s.claims().size());
        int wanted = Math.min(c.count(), room);
        List<Outcome.Claimed> granted = new ArrayList<>();
        String prefix = Keys.readyOf(c.queue());
        String from = prefix;
        int scanned = 0;
        // Read ready keys in small batches: granting a task removes its key from the index.
        while (granted.size() < wanted && scanned < Limits.CLAIM_SCAN_MAX) {
            List<String> batch = m.tables.keys(from, prefix + Keys.END, 64);
            if (batch.isEmpty()) {
                break;
            }
            for (String key : batch) {
                if (granted.size() == wanted) {
                    break;
                }
                scanned++;
                Task t = m.task(c.queue(), Keys.trailingId(key));
                if (suits(t, c.capabilities(), c.labels()) && conflicts(m.tables, t).isEmpty()) {
                    granted.add(grant(index, t, c.agent(), c.sessionTtlMs()));
                }
            }
            from = batch.get(batch.size() - 1) + "\0";
        }
        return new Outcome.ClaimedMany(granted);
    }

    /** Whether an agent with these capabilities, asking for these labels, may be handed t. */
    static boolean suits(Task t, List<String> capabilities, Map<String, String> labels) {
        if (!capabilities.containsAll(t.requires())) {
            return false;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!Objects.equals(t.labels().get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The in-progress tasks of t's queue whose resources could overlap t's, by id. */
    static List<Long> conflicts(Tables tables, Task t) {
        List<Long> conflicts = new ArrayList<>();
        if (t.resources().isEmpty()) {
            return conflicts;
        }
        String prefix = Keys.busyOf(t.queue());
        for (String key : tables.keys(prefix, prefix + Keys.END, Integer.MAX_VALUE)) {
            Task other = tables.task(t.queue(), Keys.trailingId(key));
            if (other.id() != t.id() && ResourceGlobs.anyOverlap(t.resources(),
                    other.resources())) {
                conflicts.add(other.id());
            }
        }
        return conflicts;
    }

    private Outcome.Claimed grant(long index, Task t, String agent, long sessionTtlMs) {
        long token = m.nextToken();
        Task.Builder b = t.toBuilder();
        b.status = TaskStatus.IN_PROGRESS;
        b.owner = agent;
        b.token = token;
        b.claimedAtMs = m.nowMs;
        b.lastActivityMs = m.nowMs;
        b.updatedAtMs = m.nowMs;
        m.record(b, new TaskEvent(index, m.nowMs, EventType.CLAIMED, agent, token, null,
                List.of()));
        Task after = b.build();
        m.save(t, after);

        Session before = m.session(agent);
        Session renewed = m.renewed(before, agent, sessionTtlMs);
        List<Session.Claim> claims = new ArrayList<>(renewed.claims());
        claims.add(new Session.Claim(t.queue(), t.id(), token));
        m.saveSession(before, Mutations.withClaims(renewed, claims));
        return new Outcome.Claimed(after, token, false);
    }

    // ----- the owner's calls -----

    /**
     * Runs {@code action} on the task if {@code token} is its current claim; otherwise answers
     * the refusal ({@code not_found}, or {@code stale_token}) and changes nothing.
     */
    private Outcome ifOwned(String queue, long id, long token,
                            java.util.function.Function<Task, Outcome> action) {
        Task t = m.task(queue, id);
        if (t == null) {
            return TaskRules.notFound(queue, id);
        }
        if (t.status() != TaskStatus.IN_PROGRESS || t.token() != token) {
            return new Rejected(Rejection.STALE_TOKEN, "token " + token
                    + " is not the current claim of task " + t.ref(), Map.of());
        }
        return action.apply(t);
    }

    Outcome progress(Command.ReportProgress c) {
        return ifOwned(c.queue(), c.id(), c.token(), t -> progress(t, c));
    }

    private Outcome progress(Task t, Command.ReportProgress c) {
        Task.Builder b = t.toBuilder();
        b.progress = new dev.baton.core.model.Progress(c.note(), c.percent(), m.nowMs);
        b.lastActivityMs = m.nowMs;
        b.updatedAtMs = m.nowMs;
        Task after = b.build();
        m.save(t, after);
        Session s = m.session(t.owner());
        m.saveSession(s, m.renewed(s, t.owner(), 0));
        return new Outcome.TaskUpdated(after);
    }

    Outcome complete(long index, Command.CompleteTask c) {
        return ifOwned(c.queue(), c.id(), c.token(), t -> complete(t, index, c));
    }

    private Outcome complete(Task t, long index, Command.CompleteTask c) {
        Task.Builder b = endClaim(t.toBuilder());
        b.progress = t.progress(); // A finished task keeps its last report.
        b.status = TaskStatus.COMPLETED;
        b.result = c.result();
        b.completedAtMs = m.nowMs;
        b.blocks = List.of();
        m.record(b, new TaskEvent(index, m.nowMs, EventType.COMPLETED, t.owner(), t.token(),
                null, List.of()));
        Task after = b.build();
        m.save(t, after);
        m.unblockDependents(t);
        m.dropClaim(t.owner(), t.queue(), t.id(), true);
        return new Outcome.TaskUpdated(after);
    }

    Outcome fail(long index, Command.FailTask c) {
        return ifOwned(c.queue(), c.id(), c.token(), t -> fail(t, index, c));
    }

    private Outcome fail(Task t, long index, Command.FailTask c) {
        Task after = requeue(index, t, EventType.FAILED, c.reason(), true, !c.retry(),
                c.retryDelayMs(), c.reason());
        m.dropClaim(t.owner(), t.queue(), t.id(), true);
        return new Outcome.TaskUpdated(after);
    }

    Outcome release(long index, Command.ReleaseTask c) {
        return ifOwned(c.queue(), c.id(), c.token(), t -> release(t, index, c));
    }

    private Outcome release(Task t, long index, Command.ReleaseTask c) {
        Task after = requeue(index, t, EventType.RELEASED, "released", false, false, null,
                t.failure());
        m.dropClaim(t.owner(), t.queue(), t.id(), true);
        return new Outcome.TaskUpdated(after);
    }

    Outcome handOff(long index, Command.HandOff c) {
        return ifOwned(c.queue(), c.id(), c.token(), t -> handOff(t, index, c));
    }

    private Outcome handOff(Task t, long index, Command.HandOff c) {
        Session receiver = m.session(c.to());
        if (receiver == null) {
            return new Rejected(Rejection.AGENT_NOT_LIVE, "agent " + c.to()
                    + " has no live session to receive task " + t.ref(),
                    Map.of("agent", c.to()));
        }
        if (!c.to().equals(t.owner())) {
            Rejected full = capacity(receiver, c.to());
            if (full != null) {
                return full;
            }
        }
        m.dropClaim(t.owner(), t.queue(), t.id(), true);
        long token = m.nextToken();
        Task.Builder b = t.toBuilder();
        b.owner = c.to();
        b.token = token;
        b.claimedAtMs = m.nowMs;
        b.lastActivityMs = m.nowMs;
        b.progress = null;
        b.updatedAtMs = m.nowMs;
        m.record(b, new TaskEvent(index, m.nowMs, EventType.HANDED_OFF, c.to(), token,
                c.note(), List.of()));
        Task after = b.build();
        m.save(t, after);
        Session to = m.session(c.to());
        List<Session.Claim> claims = new ArrayList<>(to.claims());
        claims.add(new Session.Claim(t.queue(), t.id(), token));
        m.saveSession(to, Mutations.withClaims(to, claims));
        return new Outcome.Claimed(after, token, false);
    }

    /**
     * Ends a claim and puts the task back: pending (after {@code delayMs}) or, when it counts
     * as an attempt and none remain (or {@code terminal}), failed. The owner's session is the
     * caller's to update.
     */
    private Task requeue(long index, Task t, EventType type, String reason,
                         boolean countsAttempt, boolean terminal, Long delayMs, String failure) {
        Task.Builder b = endClaim(t.toBuilder());
        b.attempts = t.attempts() + (countsAttempt ? 1 : 0);
        b.failure = failure;
        boolean exhausted = countsAttempt && b.attempts >= t.maxAttempts();
        if (terminal || exhausted) {
            b.status = TaskStatus.FAILED;
            if (type == EventType.EXPIRED || type == EventType.STALLED) {
                // Failed by the server, not by its owner: the failure says why.
                b.failure = reason;
            }
        } else {
            b.status = TaskStatus.PENDING;
            if (delayMs != null && delayMs > 0) {
                b.notBeforeMs = m.nowMs + delayMs;
            }
        }
        m.record(b, new TaskEvent(index, m.nowMs, type, t.owner(), t.token(), reason,
                List.of()));
        Task after = b.build();
        m.save(t, after);
        return after;
    }

    private Task.Builder endClaim(Task.Builder b) {
        b.owner = null;
        b.token = null;
        b.claimedAtMs = null;
        b.lastActivityMs = null;
        b.progress = null;
        b.updatedAtMs = m.nowMs;
        return b;
    }

    // ----- agents -----

    Outcome pulse(Command.Pulse c) {
        Session before = m.session(c.agent());
        Session after = before == null
                ? new Session(c.agent(), c.ttlMs(), m.nowMs + c.ttlMs(), 0, List.of())
                : new Session(c.agent(), c.ttlMs(), m.nowMs + c.ttlMs(), before.renewals() + 1,
                        before.claims());
        m.saveSession(before, after);
        return new Outcome.Pulsed(after, before == null);
    }

    Outcome leave(long index, Command.LeaveAgent c) {
        Session s = m.session(c.agent());
        if (s == null) {
            return Rejected.of(Rejection.NOT_FOUND, "agent " + c.agent()
                    + " has no live session");
        }
        for (Session.Claim claim : s.claims()) {
            requeue(index, m.task(claim.queue(), claim.id()), EventType.RELEASED, "agent_left",
                    false, false, null, null);
        }
        m.saveSession(s, null);
        return new Outcome.AgentLeft(s);
    }

    /** Ends the named sessions that are still as the leader saw them and past their deadline. */
    Outcome expire(long index, Command.ExpireSessions c) {
        List<String> expired = new ArrayList<>();
        for (Command.SessionDue due : c.sessions()) {
            Session s = m.session(due.agent());
            if (s == null || s.renewals() != due.renewals() || s.expiresAtMs() > m.nowMs) {
                continue; // Renewed, or gone, since the leader looked: the renewal wins.
            }
            for (Session.Claim claim : s.claims()) {
                Task t = m.task(claim.queue(), claim.id());
                requeue(index, t, EventType.EXPIRED, "lease_expired", true, false, null,
                        t.failure());
            }
            m.saveSession(s, null);
            expired.add(s.agent());
        }
        return new Outcome.SessionsExpired(expired);
    }

    /** Releases the named tasks whose owner sent nothing for them for their stallMs. */
    Outcome stall(long index, Command.StallTasks c) {
        List<TaskRef> stalled = new ArrayList<>();
        Set<TaskRef> seen = new HashSet<>();
        for (Command.TaskDue due : c.tasks()) {
            Task t = m.task(due.queue(), due.id());
            boolean stalledNow = t != null && t.status() == TaskStatus.IN_PROGRESS
                    && t.token() == due.token() && t.stallMs() != null
                    && t.lastActivityMs() + t.stallMs() <= m.nowMs;
            if (!stalledNow || !seen.add(t.ref())) {
                continue;
            }
            requeue(index, t, EventType.STALLED, "no_progress", true, false, null, t.failure());
            m.dropClaim(t.owner(), t.queue(), t.id(), false);
            stalled.add(t.ref());
        }
        return new Outcome.TasksStalled(stalled);
    }

    private static String ids(List<Long> ids) {
        StringBuilder sb = new StringBuilder();
        for (Long id : ids) {
            sb.append(sb.length() == 0 ? "#" : ", #").append(id);
        }
        return sb.toString();
    }
}
