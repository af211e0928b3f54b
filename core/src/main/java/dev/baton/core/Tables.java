package dev.baton.core;

import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.state.KeyValueStore;

/**
 * Typed reads and writes of the core's tables; no rules, only encoding and key layout.
 *
 * <p>The machine's instance caches the values every entry touches — its counters and the queue
 * summaries, a handful of keys — write-through, so the store always holds them too. Only the
 * machine writes, and a new machine (with an empty cache) is built whenever the store is
 * replaced, so the cache cannot go stale. Readers use an instance without the cache.
 */
final class Tables {
    final KeyValueStore store;
    private final java.util.Map<String, Object> cache;

    Tables(KeyValueStore store) {
        this(store, false);
    }

    Tables(KeyValueStore store, boolean cacheHotKeys) {
        this.store = store;
        this.cache = cacheHotKeys ? new java.util.HashMap<>() : null;
    }

    /** Forgets cached values: the store was replaced underneath. */
    void forgetCache() {
        if (cache != null) {
            cache.clear();
        }
    }

    Task task(String queue, long id) {
        byte[] b = store.get(Keys.task(queue, id));
        return b == null ? null : Codec.decodeTask(b);
    }

    void putTask(Task t) {
        store.put(Keys.task(t.queue(), t.id()), Codec.encodeTask(t));
    }

    QueueSummary queue(String name) {
        String key = Keys.queue(name);
        if (cache != null && cache.containsKey(key)) {
            return (QueueSummary) cache.get(key);
        }
        byte[] b = store.get(key);
        QueueSummary q = b == null ? null : Codec.decodeQueue(b);
        if (cache != null) {
            cache.put(key, q);
        }
        return q;
    }

    QueueSummary queueOrEmpty(String name) {
        QueueSummary q = queue(name);
        return q == null ? QueueSummary.empty(name) : q;
    }

    void putQueue(QueueSummary q) {
        String key = Keys.queue(q.name());
        store.put(key, Codec.encodeQueue(q));
        if (cache != null) {
            cache.put(key, q);
        }
    }

    long meta(String name, long otherwise) {
        String key = Keys.meta(name);
        if (cache != null && cache.containsKey(key)) {
            Long v = (Long) cache.get(key);
            return v == null ? otherwise : v;
        }
        byte[] b = store.get(key);
        Long v = b == null ? null : Codec.decodeLong(b);
        if (cache != null) {
            cache.put(key, v);
        }
        return v == null ? otherwise : v;
    }

    void putMeta(String name, long value) {
        String key = Keys.meta(name);
        store.put(key, Codec.encodeLong(value));
        if (cache != null) {
            cache.put(key, value);
        }
    }

    Session session(String agent) {
        byte[] b = store.get(Keys.session(agent));
        return b == null ? null : Codec.decodeSession(b);
    }

    /** The first keys of a range, at most {@code limit}, read before anything changes them. */
    java.util.List<String> keys(String fromInclusive, String toExclusive, int limit) {
        java.util.List<String> keys = new java.util.ArrayList<>();
        var it = store.scan(fromInclusive, toExclusive);
        while (it.hasNext() && keys.size() < limit) {
            keys.add(it.next().getKey());
        }
        return keys;
    }

    /** The first key of a range, or null. */
    String firstKey(String fromInclusive, String toExclusive) {
        var it = store.scan(fromInclusive, toExclusive);
        return it.hasNext() ? it.next().getKey() : null;
    }

    static final String CLOCK = "clock";
    static final String TOKEN = "token";
    static final String EVENTS_COUNT = "events.count";
    /** The highest log index whose events were dropped: a reader must start after it. */
    static final String EVENTS_DROPPED_TO = "events.dropped";
    static final String IDEMPOTENCY_COUNT = "idempotency.count";
}
