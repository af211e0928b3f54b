package dev.baton.core;

import dev.baton.core.Outcome.Rejected;
import dev.baton.core.state.KeyValueStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

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
    private final long idempotencyKeysMax;
    /**
     * No later than the leader time of the oldest remembered Idempotency-Key, or -1 when not
     * known: lets most entries skip looking at the table's oldest record. Derived from the store
     * (so forgotten on {@link #reload}), never written to it.
     */
    private long oldestKeyAtMs = -1;

    /**
     * @param idempotencyKeysMax how many Idempotency-Keys the table keeps before dropping the
     *                           oldest (the cluster's configured size; every replica must agree)
     */
    public TaskMachine(KeyValueStore store, long idempotencyKeysMax) {
        Check.state(idempotencyKeysMax >= 1, "idempotencyKeysMax must be positive");
        this.m = new Mutations(new Tables(store, true));
        this.tasks = new TaskRules(m);
        this.claims = new ClaimRules(m);
        this.idempotencyKeysMax = idempotencyKeysMax;
        reload();
    }

    /** Re-reads state the machine caches, after the store was replaced (snapshot install). */
    public void reload() {
        m.tables.forgetCache();
        oldestKeyAtMs = -1;
        m.nowMs = m.tables.meta(Tables.CLOCK, 0);
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
        return outcomes;
    }

    private Outcome applyOne(long index, Entry entry) {
        advanceClock(entry.leaderTimeMs());
        dropExpiredIdempotencyKeys();
        String key = entry.idempotencyKey();
        if (key == null) {
            return decide(index, entry.command());
        }
        Rejected badKey = Validation.idempotencyKey(key);
        if (badKey != null) {
            return badKey;
        }
        long fingerprint = fingerprint(entry.command());
        IdempotencyRecord first = remembered(key);
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
            remember(key, fingerprint, outcome);
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

    private void remember(String key, long fingerprint, Outcome outcome) {
        if (m.tables.meta(Tables.IDEMPOTENCY_COUNT, 0) == 0) {
            oldestKeyAtMs = m.nowMs;
        }
        long seq = m.tables.meta(Tables.IDEMPOTENCY_SEQ, 0);
        m.tables.putMeta(Tables.IDEMPOTENCY_SEQ, seq + 1);
        m.tables.putMeta(Tables.IDEMPOTENCY_COUNT,
                m.tables.meta(Tables.IDEMPOTENCY_COUNT, 0) + 1);
        m.tables.store.put(Keys.idempotency(key), new IdempotencyRecord(m.nowMs, seq,
                fingerprint, Codec.encodeOutcome(outcome)).encode());
        m.tables.store.put(Keys.idempotencyOrder(seq), key.getBytes(StandardCharsets.UTF_8));
        // Keep the table within its size after the insert, not only before the next one.
        dropExpiredIdempotencyKeys();
    }

    /** The first outcome of a keyed request, or null when the key is unknown or too old. */
    private IdempotencyRecord remembered(String key) {
        byte[] seen = m.tables.store.get(Keys.idempotency(key));
        if (seen == null) {
            return null;
        }
        IdempotencyRecord r = IdempotencyRecord.decode(seen);
        if (isExpired(r)) {
            // Dropping is amortised, so an expired key may still be stored: it counts as gone.
            forget(key, r);
            return null;
        }
        return r;
    }

    private boolean isExpired(IdempotencyRecord r) {
        return r.expiredAt(m.nowMs);
    }

    private void forget(String key, IdempotencyRecord r) {
        m.tables.store.delete(Keys.idempotencyOrder(r.seq()));
        m.tables.store.delete(Keys.idempotency(key));
        m.tables.putMeta(Tables.IDEMPOTENCY_COUNT,
                m.tables.meta(Tables.IDEMPOTENCY_COUNT, 0) - 1);
    }

    /**
     * Drops keys older than 24 hours of leader time, and the oldest beyond the configured count.
     * At most a few per entry, so that one apply never does unbounded work; a key past its 24
     * hours that is still stored is ignored when looked up ({@link #remembered}).
     */
    private void dropExpiredIdempotencyKeys() {
        long count = m.tables.meta(Tables.IDEMPOTENCY_COUNT, 0);
        if (count == 0 || count <= idempotencyKeysMax && oldestKeyAtMs >= 0
                && oldestKeyAtMs + Limits.IDEMPOTENCY_TTL_MS >= m.nowMs) {
            return;
        }
        oldestKeyAtMs = -1;
        for (String orderKey : m.tables.keys(Keys.IDEMPOTENCY_ORDER,
                Keys.IDEMPOTENCY_ORDER + Keys.END, Limits.IDEMPOTENCY_DROPS_PER_ENTRY_MAX)) {
            String key = new String(m.tables.store.get(orderKey), StandardCharsets.UTF_8);
            IdempotencyRecord r = IdempotencyRecord.decode(
                    m.tables.store.get(Keys.idempotency(key)));
            boolean tooMany = m.tables.meta(Tables.IDEMPOTENCY_COUNT, 0) > idempotencyKeysMax;
            if (!tooMany && !isExpired(r)) {
                oldestKeyAtMs = r.atMs();
                break;
            }
            forget(key, r);
        }
    }

    private static long fingerprint(Command command) {
        CRC32 crc = new CRC32();
        byte[] bytes = Codec.encodeCommand(command);
        crc.update(bytes);
        return (crc.getValue() << 32) ^ Arrays.hashCode(bytes);
    }

    /**
     * What the request {@code command} under {@code key} answered the first time, if the key is
     * remembered for that same request and has not expired by {@code nowMs}; else null. Read
     * only: for a caller that must tell a retry from a new request without proposing one.
     */
    static Outcome replay(KeyValueStore store, String key, Command command, long nowMs) {
        byte[] seen = store.get(Keys.idempotency(key));
        if (seen == null) {
            return null;
        }
        IdempotencyRecord r = IdempotencyRecord.decode(seen);
        if (r.expiredAt(nowMs) || r.fingerprint() != fingerprint(command)) {
            return null;
        }
        return Codec.decodeOutcome(r.outcome());
    }

    /** The first outcome of a keyed request, when it was applied, and what was asked. */
    private record IdempotencyRecord(long atMs, long seq, long fingerprint, byte[] outcome) {
        boolean expiredAt(long nowMs) {
            return atMs + Limits.IDEMPOTENCY_TTL_MS < nowMs;
        }

        byte[] encode() {
            return new ByteWriter(outcome.length + 32).i64(atMs).i64(seq).i64(fingerprint)
                    .blob(outcome).toByteArray();
        }

        static IdempotencyRecord decode(byte[] bytes) {
            ByteReader r = new ByteReader(bytes);
            return new IdempotencyRecord(r.i64(), r.i64(), r.i64(), r.blob());
        }
    }

}
