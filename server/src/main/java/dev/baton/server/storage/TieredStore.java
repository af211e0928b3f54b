package dev.baton.server.storage;

import dev.baton.core.state.KeyValueStore;
import dev.baton.core.state.TreeMapStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The state machine's working store: the tables the apply path touches on every entry live in
 * the heap, and the tables that only grow and are seldom read live in a {@link MapDbStore} on
 * disk.
 *
 * <ul>
 *   <li><b>Hot, in a heap {@link java.util.TreeMap}</b>: tasks, queues, the ready, delayed,
 *       stall and resource indexes, sessions, counters, members and the bounded events table
 *       (about 450 MiB of heap for a million pending tasks, measured).</li>
 *   <li><b>Cold, in MapDB</b>: task history ({@code h/}), which grows with every event of every
 *       task, and the idempotency table ({@code i/}), up to a million first responses. They are written once, read on a history query or a retried request, and
 *       would otherwise be most of the heap.</li>
 * </ul>
 *
 * <p>Why: a profile of the apply path put MapDB's B-tree at about 10 µs per operation (node
 * (de)serialisation), some 25 times a heap map's cost, with 50 operations per claim and
 * complete; a heap-only store would need about 1 GiB for a million tasks and their idempotency
 * keys (584 MiB measured with 100,000 keys, plus about 400 bytes per further key; see
 * docs/PERFORMANCE.md). Every table is a key prefix and every scan stays inside one table, so
 * routing by prefix keeps the store one ordered map to the core.
 */
public final class TieredStore implements KeyValueStore, AutoCloseable {
    private final TreeMapStore hot;
    private final MapDbStore cold;

    private TieredStore(TreeMapStore hot, MapDbStore cold) {
        this.hot = hot;
        this.cold = cold;
    }

    /** A fresh, empty store whose cold tables live in {@code file} (deleted on close). */
    public static TieredStore createEmpty(Path file) throws IOException {
        return new TieredStore(new TreeMapStore(), MapDbStore.createEmpty(file));
    }

    /**
     * A store holding a snapshot's entries, its cold tables in {@code file}: both tiers are
     * built from the snapshot's ascending keys in one pass each, the heap tables with no key
     * comparisons ({@link TreeMapStore#ofSorted}), the cold ones bottom-up
     * ({@link MapDbStore#load}), so a node with a million tasks restarts in seconds.
     *
     * @return the store and the snapshot's position
     */
    public static Loaded load(Path file, Path snapshot) throws IOException {
        MapDbStore.Loader cold = MapDbStore.load(file);
        List<Map.Entry<String, byte[]>> hot = new ArrayList<>();
        SnapshotFile.Position at = SnapshotFile.read(snapshot, (key, value) -> {
            if (isCold(key)) {
                cold.put(key, value);
            } else {
                hot.add(Map.entry(key, value));
            }
        });
        TreeMapStore heap;
        try {
            heap = TreeMapStore.ofSorted(hot);
        } catch (IllegalArgumentException e) {
            throw new IOException(snapshot + " is not in key order: " + e.getMessage(), e);
        }
        return new Loaded(new TieredStore(heap, cold.finish()), at);
    }

    /** What {@link #load} returns. */
    public record Loaded(TieredStore store, SnapshotFile.Position at) {
    }

    /** Whether a key's table lives on disk: history and the idempotency table. */
    static boolean isCold(String key) {
        char table = key.charAt(0);
        return (table == 'h' || table == 'i') && key.length() > 1 && key.charAt(1) == '/';
    }

    private KeyValueStore of(String key) {
        return isCold(key) ? cold : hot;
    }

    @Override
    public byte[] get(String key) {
        return of(key).get(key);
    }

    @Override
    public void put(String key, byte[] value) {
        of(key).put(key, value);
    }

    @Override
    public void delete(String key) {
        of(key).delete(key);
    }

    /** The core's scans stay inside one table, so one tier answers them; others are merged. */
    @Override
    public Iterator<Map.Entry<String, byte[]>> scan(String fromInclusive, String toExclusive) {
        if (sameTable(fromInclusive, toExclusive)) {
            return of(fromInclusive).scan(fromInclusive, toExclusive);
        }
        return merged(hot.scan(fromInclusive, toExclusive), cold.scan(fromInclusive, toExclusive));
    }

    private static boolean sameTable(String a, String b) {
        return a.length() >= 2 && b.length() >= 2 && a.charAt(1) == '/'
                && a.regionMatches(0, b, 0, 2);
    }

    @Override
    public void clear() {
        hot.clear();
        cold.clear();
    }

    /** Every entry in key order, both tiers merged: what a snapshot and a digest read. */
    public Iterator<Map.Entry<String, byte[]>> all() {
        return merged(hot.scan("", "\uffff"), cold.all());
    }

    public long size() {
        return hot.size() + cold.size();
    }

    @Override
    public void close() {
        cold.close();
    }

    private static Iterator<Map.Entry<String, byte[]>> merged(
            Iterator<Map.Entry<String, byte[]>> a, Iterator<Map.Entry<String, byte[]>> b) {
        return new Iterator<>() {
            private Map.Entry<String, byte[]> nextA = a.hasNext() ? a.next() : null;
            private Map.Entry<String, byte[]> nextB = b.hasNext() ? b.next() : null;

            @Override
            public boolean hasNext() {
                return nextA != null || nextB != null;
            }

            @Override
            public Map.Entry<String, byte[]> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Map.Entry<String, byte[]> e;
                if (nextB == null || nextA != null
                        && nextA.getKey().compareTo(nextB.getKey()) < 0) {
                    e = nextA;
                    nextA = a.hasNext() ? a.next() : null;
                } else {
                    e = nextB;
                    nextB = b.hasNext() ? b.next() : null;
                }
                return e;
            }
        };
    }
}
