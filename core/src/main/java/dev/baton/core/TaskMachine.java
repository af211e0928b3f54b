package dev.baton.core;

import dev.baton.core.Outcome.Rejected;
import dev.baton.core.state.HashIndex;
import dev.baton.core.state.HeapHashIndex;
import dev.baton.core.state.KeyValueStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies log entries to the task state. This is where every write is decided.
 *
 * <p><b>Determinism.</b> The outcome and the resulting store bytes depend only on the store's
 * contents and the entry: no clock, no randomness, no I/O, and only ordered iteration. The
 * machine's time is {@code max(previous time, entry's leader time)}, so it never runs backwards
 * even when a new leader's clock is behind the old one's.
 *
 * <p><b>Threads.</b> Not thread-safe. The caller applies entries from one thread and keeps
 * readers ({@link TaskReader}) out while an entry is being applied.
 *
 * <p><b>Invariants</b> kept on every entry: a task's index entries and its queue's counters
 * agree with the task (every write goes through {@link Mutations}); {@code blockedBy} and
 * {@code blocks} are mirror images over unfinished tasks; a task is in progress exactly when its
 * owner's live session lists it; fencing tokens increase strictly in log order; the clock never
 * decreases. The rules themselves live in {@link TaskRules} and {@link ClaimRules}.
 */
public final class TaskMachine {
    private final Mutations m;
    private final TaskRules tasks;
    private final ClaimRules claims;
    private final IdempotencyTable idempotency;

    /** A machine whose idempotency index lives in the JDK's maps: for tests and tools. */
    public TaskMachine(KeyValueStore store, long idempotencyKeysMax) {
        this(store, new HeapHashIndex(), idempotencyKeysMax);
    }

    /**
     * @param keyHashes          where the machine keeps its index of Idempotency-Key hashes,
     *                           empty or not: the machine refills it from the store
     * @param idempotencyKeysMax how many Idempotency-Keys the table keeps before dropping the
     *                           oldest (the cluster's configured size; every replica must agree)
     */
    public TaskMachine(KeyValueStore store, HashIndex keyHashes, long idempotencyKeysMax) {
        this.m = new Mutations(new Tables(store, true));
        this.tasks = new TaskRules(m);
        this.claims = new ClaimRules(m);
        this.idempotency = new IdempotencyTable(m.tables, keyHashes, idempotencyKeysMax);
        reload();
    }

    /** Re-reads state the machine caches, after the store was replaced (snapshot install). */
    public void reload() {
        m.tables.forgetCache();
        m.nowMs = m.tables.meta(Tables.CLOCK, 0);
        idempotency.rebuild();
    }

    /**
     * A reader over the machine's store that can also answer {@link TaskReader#replay}, which
     * needs the machine's idempotency index. The same rules as any reader: no query while an
     * entry is applied.
     */
    public TaskReader reader() {
        return new TaskReader(m.tables.store, this);
    }

    /** The machine's time: the latest leader stamp applied so far. */
    public long nowMs() {
        return m.nowMs;
    }

    /**
     * Applies one entry that carries one request.
     *
     * @param index the entry's log index, recorded in history events
     */
    public Outcome apply(long index, Entry entry) {
        return applyAll(index, List.of(entry)).get(0);
    }

    /**
     * Applies one log entry that carries several requests, in order, each exactly as if it had
     * an entry of its own; they share the entry's index (their events are numbered within it).
     *
     * @return each request's outcome, in the requests' order
     */
    public List<Outcome> applyAll(long index, List<Entry> entries) {
        m.index = index;
        m.eventsInEntry = 0;
        List<Outcome> outcomes = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            outcomes.add(applyOne(index, e));
        }
        idempotency.endEntry(index, m.nowMs);
        return outcomes;
    }

    private Outcome applyOne(long index, Entry entry) {
        advanceClock(entry.leaderTimeMs());
        String key = entry.idempotencyKey();
        if (key == null) {
            return decide(index, entry.command());
        }
        Rejected badKey = Validation.idempotencyKey(key);
        if (badKey != null) {
            return badKey;
        }
        long fingerprint = IdempotencyTable.fingerprint(entry.command());
        IdempotencyTable.Found first = idempotency.find(key, m.nowMs);
        if (first != null) {
            if (first.fingerprint() != fingerprint) {
                return Rejected.invalid("Idempotency-Key " + key
                        + " was already used for a different request");
            }
            return Codec.decodeOutcome(first.outcome());
        }
        Outcome outcome = decide(index, entry.command());
        // A claim-next that found nothing changed nothing: a retry may as well try again.
        boolean changedNothing = outcome instanceof Outcome.ClaimedMany many
                && many.claims().isEmpty();
        if (!changedNothing) {
            idempotency.remember(key, fingerprint, Codec.encodeOutcome(outcome));
        }
        return outcome;
    }

    /** The one dispatch point: every command type is handled here or fails loudly. */
    private Outcome decide(long index, Command command) {
        Rejected invalid = Validation.command(command);
        if (invalid != null) {
            return invalid;
        }
        if (command instanceof Command.CreateTask c) {
            return tasks.create(index, c);
        } else if (command instanceof Command.UpdateTask c) {
            return tasks.update(index, c);
        } else if (command instanceof Command.DeleteTask c) {
            return tasks.delete(index, c);
        } else if (command instanceof Command.Tick) {
            return new Outcome.Ticked();
        } else if (command instanceof Command.ClaimTask c) {
            return claims.claim(index, c);
        } else if (command instanceof Command.ClaimNext c) {
            return claims.claimNext(index, c);
        } else if (command instanceof Command.ReportProgress c) {
            return claims.progress(c);
        } else if (command instanceof Command.CompleteTask c) {
            return claims.complete(index, c);
        } else if (command instanceof Command.FailTask c) {
            return claims.fail(index, c);
        } else if (command instanceof Command.ReleaseTask c) {
            return claims.release(index, c);
        } else if (command instanceof Command.HandOff c) {
            return claims.handOff(index, c);
        } else if (command instanceof Command.Pulse c) {
            return claims.pulse(c);
        } else if (command instanceof Command.LeaveAgent c) {
            return claims.leave(index, c);
        } else if (command instanceof Command.ExpireSessions c) {
            return claims.expire(index, c);
        } else if (command instanceof Command.StallTasks c) {
            return claims.stall(index, c);
        } else if (command instanceof Command.SetMember c) {
            m.tables.store.put(Keys.member(c.id()), Codec.encodeMember(
                    new Outcome.Member(c.id(), c.raftAddress(), c.httpAddress())));
            return new Outcome.MembersChanged(members());
        } else if (command instanceof Command.RemoveMember c) {
            m.tables.store.delete(Keys.member(c.id()));
            return new Outcome.MembersChanged(members());
        }
        throw new AssertionError("unhandled command " + command);
    }

    private List<Outcome.Member> members() {
        return new TaskReader(m.tables.store).members();
    }

    // ----- time -----

    private void advanceClock(long leaderTimeMs) {
        if (leaderTimeMs > m.nowMs) {
            m.nowMs = leaderTimeMs;
            m.tables.putMeta(Tables.CLOCK, m.nowMs);
        }
        m.promoteDueTasks();
    }

    // ----- idempotency -----

    /**
     * What the request {@code command} under {@code key} answered the first time, if the key is
     * remembered for that same request and has not expired by {@code nowMs}; else null. Read
     * only: for a caller that must tell a retry from a new request without proposing one.
     */
    Outcome replay(String key, Command command, long nowMs) {
        IdempotencyTable.Found first = idempotency.find(key, nowMs);
        if (first == null || first.fingerprint() != IdempotencyTable.fingerprint(command)) {
            return null;
        }
        return Codec.decodeOutcome(first.outcome());
    }
}
