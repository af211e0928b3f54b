package dev.baton.core.state;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link HashIndex} in a JDK {@link HashMap}: for tests, simulations and tools. About 100
 * bytes a value, boxed; a server uses a primitive map instead.
 */
public final class HeapHashIndex implements HashIndex {
    private static final long[] NONE = {};
    private final Map<Long, long[]> values = new HashMap<>();

    @Override
    public void add(long hash, long value) {
        values.merge(hash, new long[] {value}, (old, one) -> {
            long[] more = Arrays.copyOf(old, old.length + 1);
            more[old.length] = one[0];
            return more;
        });
    }

    @Override
    public void remove(long hash, long value) {
        long[] old = values.get(hash);
        if (old == null) {
            return;
        }
        for (int i = 0; i < old.length; i++) {
            if (old[i] == value) {
                if (old.length == 1) {
                    values.remove(hash);
                } else {
                    long[] fewer = new long[old.length - 1];
                    System.arraycopy(old, 0, fewer, 0, i);
                    System.arraycopy(old, i + 1, fewer, i, old.length - i - 1);
                    values.put(hash, fewer);
                }
                return;
            }
        }
    }

    @Override
    public long[] get(long hash) {
        long[] v = values.get(hash);
        return v == null ? NONE : v.clone();
    }

    @Override
    public void clear() {
        values.clear();
    }
}
