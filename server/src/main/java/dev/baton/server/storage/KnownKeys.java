package dev.baton.server.storage;

import org.eclipse.collections.impl.map.mutable.primitive.LongIntHashMap;

/**
 * Which keys of one table are stored, as counts of 64-bit hashes of the keys, so that a lookup
 * of a key that is not stored is answered from the heap. A hash that is present proves nothing
 * (another key may share it) and sends the lookup to the store; an absent one proves the key
 * is not stored. Counts, not flags: two stored keys with one hash keep it present until both
 * are gone.
 *
 * <p>About 24 bytes a key (Eclipse Collections' open-addressing map, which MapDB already
 * brings). Not thread-safe: the state machine's lock orders its users.
 */
final class KnownKeys {
    private final LongIntHashMap counts = new LongIntHashMap();

    /** May {@code key} be stored? False means it is not. */
    boolean mayContain(String key) {
        return counts.containsKey(hash(key));
    }

    /** Notes a key that was not stored and now is. */
    void added(String key) {
        counts.addToValue(hash(key), 1);
    }

    /** Notes a stored key that is now gone. */
    void removed(String key) {
        long h = hash(key);
        if (counts.addToValue(h, -1) <= 0) {
            counts.remove(h);
        }
    }

    void clear() {
        counts.clear();
    }

    int size() {
        return counts.size();
    }

    /** FNV-1a over the key's chars, 64 bits. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }
}
