package dev.baton.core.state;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A {@link KeyValueStore} in a {@link TreeMap}: the heap tier of a node's store, and the whole
 * store in tests, simulations and tools.
 */
public final class TreeMapStore implements KeyValueStore {
    private final TreeMap<String, byte[]> map;

    public TreeMapStore() {
        this.map = new TreeMap<>();
    }

    private TreeMapStore(TreeMap<String, byte[]> map) {
        this.map = map;
    }

    /**
     * A store holding {@code entries}, which must be in strictly ascending key order (as a
     * snapshot is): built in linear time, with no key comparisons, which is how a restarting
     * node fills its heap tables.
     *
     * @throws IllegalArgumentException when a key is not greater than the one before it
     */
    public static TreeMapStore ofSorted(List<Map.Entry<String, byte[]>> entries) {
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i - 1).getKey().compareTo(entries.get(i).getKey()) >= 0) {
                throw new IllegalArgumentException("keys out of order at " + i + ": "
                        + entries.get(i).getKey());
            }
        }
        // TreeMap builds itself from a SortedMap in one pass (buildFromSorted); it reads only
        // the comparator, the size and the entries of what it is given, so the view offers
        // nothing else.
        return new TreeMapStore(new TreeMap<>(new AscendingEntries(entries)));
    }

    private static final class AscendingEntries extends AbstractMap<String, byte[]>
            implements SortedMap<String, byte[]> {
        private final List<Map.Entry<String, byte[]>> entries;

        AscendingEntries(List<Map.Entry<String, byte[]>> entries) {
            this.entries = entries;
        }

        @Override
        public Set<Map.Entry<String, byte[]>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<String, byte[]>> iterator() {
                    return entries.iterator();
                }

                @Override
                public int size() {
                    return entries.size();
                }
            };
        }

        @Override
        public Comparator<? super String> comparator() {
            return null;
        }

        @Override
        public SortedMap<String, byte[]> subMap(String fromKey, String toKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<String, byte[]> headMap(String toKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<String, byte[]> tailMap(String fromKey) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String firstKey() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String lastKey() {
            throw new UnsupportedOperationException();
        }
    }

    @Override
    public byte[] get(String key) {
        return map.get(key);
    }

    @Override
    public void put(String key, byte[] value) {
        map.put(key, value);
    }

    @Override
    public void delete(String key) {
        map.remove(key);
    }

    @Override
    public Iterator<Map.Entry<String, byte[]>> scan(String fromInclusive, String toExclusive) {
        return map.subMap(fromInclusive, true, toExclusive, false).entrySet().iterator();
    }

    @Override
    public void clear() {
        map.clear();
    }

    public int size() {
        return map.size();
    }
}
