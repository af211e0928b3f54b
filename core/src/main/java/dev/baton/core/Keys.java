package dev.baton.core;

/**
 * The layout of the core's tables inside one ordered {@link dev.baton.core.state.KeyValueStore}.
 * Each table is a key prefix; numbers are fixed-width hex so that key order is numeric order.
 *
 * <pre>
 * t/{queue}/{id}                  task                     (scan: a queue's tasks in id order)
 * h/{queue}/{id}/{seq}            history event            (scan: a task's history, oldest first)
 * q/{queue}                       queue summary            (scan: every queue by name)
 * k/{queue}/{key}                 id of the live task holding a dedupe key
 * r/{queue}/{rank}/{id}           ready index: rank = MAX_INT - priority, so best first
 * d/{notBefore}/{queue}/{id}      delayed index: pending, unblocked, not yet due
 * i/{index}                       the first outcomes of the keyed requests of one log entry
 * m/{name}                        machine counters (clock, sequences)
 * a/{agent}                       live agent session
 * s/{expiresAt}/{agent}           session deadlines, soonest first
 * x/{stallAt}/{queue}/{id}        stall deadlines of in-progress tasks with stallMs
 * p/{queue}/{id}                  in-progress tasks that hold resources (conflict checks)
 * e/{index}/{n}                   every task's events in log order (the events stream)
 * n/{member}                      cluster members' addresses
 * </pre>
 *
 * Queue names cannot hold '/', so a queue's prefix never matches another queue's keys.
 */
final class Keys {
    private Keys() {
    }

    /** Sorts after every character a key can hold: the exclusive end of a prefix scan. */
    static final String END = "\uffff";

    static String task(String queue, long id) {
        return "t/" + queue + "/" + hex16(id);
    }

    static String tasksOf(String queue) {
        return "t/" + queue + "/";
    }

    static String event(String queue, long id, long seq) {
        return "h/" + queue + "/" + hex16(id) + "/" + hex16(seq);
    }

    static String historyOf(String queue, long id) {
        return "h/" + queue + "/" + hex16(id) + "/";
    }

    static String queue(String queue) {
        return "q/" + queue;
    }

    static final String QUEUES = "q/";

    static String dedupe(String queue, String key) {
        return "k/" + queue + "/" + key;
    }

    static String ready(String queue, int priority, long id) {
        long rank = (long) Integer.MAX_VALUE - priority;
        return "r/" + queue + "/" + hex16(rank).substring(8) + "/" + hex16(id);
    }

    static String readyOf(String queue) {
        return "r/" + queue + "/";
    }

    static String delayed(long notBeforeMs, String queue, long id) {
        return DELAYED + hex16(notBeforeMs) + "/" + queue + "/" + hex16(id);
    }

    static final String DELAYED = "d/";

    /** The end of the delayed keys due at or before {@code nowMs}. */
    static String delayedDueEnd(long nowMs) {
        return DELAYED + hex16(nowMs + 1);
    }

    static long delayedTime(String key) {
        return Long.parseUnsignedLong(key.substring(2, 18), 16);
    }


    static String idempotency(long entryIndex) {
        return IDEMPOTENCY + hex16(entryIndex);
    }

    static long idempotencyEntry(String key) {
        return Long.parseUnsignedLong(key, IDEMPOTENCY.length(), key.length(), 16);
    }

    static final String IDEMPOTENCY = "i/";

    static String session(String agent) {
        return SESSIONS + agent;
    }

    static final String SESSIONS = "a/";

    static String sessionDeadline(long expiresAtMs, String agent) {
        return SESSION_DEADLINES + hex16(expiresAtMs) + "/" + agent;
    }

    static final String SESSION_DEADLINES = "s/";

    /** The end of the session deadlines at or before {@code nowMs}. */
    static String sessionsDueEnd(long nowMs) {
        return SESSION_DEADLINES + hex16(nowMs + 1);
    }

    static String sessionDeadlineAgent(String key) {
        return key.substring(19);
    }

    static String stall(long stallAtMs, String queue, long id) {
        return STALLS + hex16(stallAtMs) + "/" + queue + "/" + hex16(id);
    }

    static final String STALLS = "x/";

    static String stallsDueEnd(long nowMs) {
        return STALLS + hex16(nowMs + 1);
    }

    static String busy(String queue, long id) {
        return "p/" + queue + "/" + hex16(id);
    }

    static String busyOf(String queue) {
        return "p/" + queue + "/";
    }

    /** The id at the end of any key that ends in "/{id}". */
    static long trailingId(String key) {
        return Long.parseUnsignedLong(key.substring(key.length() - 16), 16);
    }

    /** The queue of a "{prefix}{time}/{queue}/{id}" key (delayed and stall indexes). */
    static String timedQueue(String key) {
        return key.substring(19, key.length() - 17);
    }

    static String event(long index, int n) {
        return EVENTS + hex16(index) + "/" + hex16(n).substring(8);
    }

    static final String EVENTS = "e/";

    /** The first event key of entries after {@code index}. */
    static String eventsAfter(long index) {
        return EVENTS + hex16(index + 1);
    }

    static long eventIndex(String key) {
        return Long.parseUnsignedLong(key.substring(2, 18), 16);
    }

    static String member(String id) {
        return MEMBERS + id;
    }

    static final String MEMBERS = "n/";

    static String meta(String name) {
        return "m/" + name;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String hex16(long v) {
        char[] c = new char[16];
        for (int i = 15; i >= 0; i--) {
            c[i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        return new String(c);
    }
}
