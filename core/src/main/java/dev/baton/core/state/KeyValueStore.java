package dev.baton.core.state;

import java.util.Iterator;
import java.util.Map;

/**
 * An ordered map from string keys to byte values: everything the task machine knows lives in
 * one of these. Keys compare as Java strings; the machine lays out its tables so that a table
 * is a key prefix and the order it needs is key order (see {@code dev.baton.core.Keys}).
 *
 * <p>Implementations need not be thread-safe: the machine confines each store to the thread
 * that applies the log, and readers are excluded by the caller's lock while it writes.
 */
public interface KeyValueStore {

    /** The value under {@code key}, or null. */
    byte[] get(String key);

    void put(String key, byte[] value);

    void delete(String key);

    /**
     * The entries with {@code fromInclusive <= key < toExclusive}, in key order. The caller does
     * not change the store while it iterates.
     */
    Iterator<Map.Entry<String, byte[]>> scan(String fromInclusive, String toExclusive);

    /** Removes everything (before a snapshot is loaded). */
    void clear();
}
