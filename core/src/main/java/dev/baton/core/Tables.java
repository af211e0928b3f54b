package dev.baton.core;

import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.state.KeyValueStore;

/** Typed reads and writes of the core's tables; no rules, only encoding and key layout. */
final class Tables {
    final KeyValueStore store;

    Tables(KeyValueStore store) {
        this.store = store;
    }

    Task task(String queue, long id) {
        byte[] b = store.get(Keys.task(queue, id));
        return b == null ? null : Codec.decodeTask(b);
    }

    void putTask(Task t) {
        store.put(Keys.task(t.queue(), t.id()), Codec.encodeTask(t));
    }

    QueueSummary queue(String name) {
        byte[] b = store.get(Keys.queue(name));
        return b == null ? null : Codec.decodeQueue(b);
    }

    QueueSummary queueOrEmpty(String name) {
        QueueSummary q = queue(name);
        return q == null ? QueueSummary.empty(name) : q;
    }

    void putQueue(QueueSummary q) {
        store.put(Keys.queue(q.name()), Codec.encodeQueue(q));
    }

    long meta(String name, long otherwise) {
        byte[] b = store.get(Keys.meta(name));
        return b == null ? otherwise : Codec.decodeLong(b);
    }

    void putMeta(String name, long value) {
        store.put(Keys.meta(name), Codec.encodeLong(value));
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
    static final String IDEMPOTENCY_SEQ = "idempotency.seq";
    static final String IDEMPOTENCY_COUNT = "idempotency.count";
}
