package dev.baton.core.state;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/** A {@link KeyValueStore} in a {@link TreeMap}: for tests, simulations and tools. */
public final class TreeMapStore implements KeyValueStore {
    private final TreeMap<String, byte[]> map = new TreeMap<>();

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
