package dev.baton.core.state;

/**
 * A multimap from 64-bit hashes to log indexes, kept in the heap beside a store: how the machine
 * finds which of its idempotency records hold a key without a lookup in the store per request.
 * Derived state: the machine fills it from the store when it starts and keeps it in step with
 * every record it writes or drops.
 *
 * <p>Implementations need not be thread-safe, for the same reason as {@link KeyValueStore}'s.
 */
public interface HashIndex {

    /** Adds {@code value} under {@code hash} (a hash may hold several values). */
    void add(long hash, long value);

    /** Removes one {@code value} under {@code hash}, if it is there. */
    void remove(long hash, long value);

    /** The values under {@code hash}, in no particular order; empty when there are none. */
    long[] get(long hash);

    /** Removes everything (before the machine refills it from a replaced store). */
    void clear();
}
