package dev.baton.server.storage;

import dev.baton.core.state.HashIndex;
import org.eclipse.collections.impl.list.mutable.primitive.LongArrayList;
import org.eclipse.collections.impl.map.mutable.primitive.LongLongHashMap;
import org.eclipse.collections.impl.map.mutable.primitive.LongObjectHashMap;

/**
 * The machine's index of Idempotency-Key hashes in primitive maps (Eclipse Collections, which
 * MapDB already brings): one open-addressing long-to-long map for the first value under each
 * hash, 32 to 64 MiB for a million keys depending on where its last doubling fell (boxed JDK
 * maps would take about 100 MiB), and a second map for the rare hash that holds more than one
 * value (two keys sharing a hash, or a key remembered again after a day while its old record
 * waits to be dropped).
 */
public final class PrimitiveHashIndex implements HashIndex {
    private static final long[] NONE = {};
    private static final long ABSENT = Long.MIN_VALUE;
    private final LongLongHashMap first = new LongLongHashMap();
    private final LongObjectHashMap<LongArrayList> more = new LongObjectHashMap<>();

    @Override
    public void add(long hash, long value) {
        if (value == ABSENT) {
            throw new IllegalArgumentException("value " + value + " is reserved");
        }
        if (first.getIfAbsent(hash, ABSENT) == ABSENT) {
            first.put(hash, value);
        } else {
            more.getIfAbsentPut(hash, LongArrayList::new).add(value);
        }
    }

    @Override
    public void remove(long hash, long value) {
        long head = first.getIfAbsent(hash, ABSENT);
        if (head == ABSENT) {
            return;
        }
        LongArrayList rest = more.get(hash);
        if (head == value) {
            if (rest == null) {
                first.remove(hash);
            } else {
                first.put(hash, rest.removeAtIndex(rest.size() - 1));
            }
        } else if (rest != null) {
            rest.remove(value);
        }
        if (rest != null && rest.isEmpty()) {
            more.remove(hash);
        }
    }

    @Override
    public long[] get(long hash) {
        long head = first.getIfAbsent(hash, ABSENT);
        if (head == ABSENT) {
            return NONE;
        }
        LongArrayList rest = more.get(hash);
        if (rest == null) {
            return new long[] {head};
        }
        long[] all = new long[rest.size() + 1];
        all[0] = head;
        for (int i = 0; i < rest.size(); i++) {
            all[i + 1] = rest.get(i);
        }
        return all;
    }

    @Override
    public void clear() {
        first.clear();
        more.clear();
    }
}
