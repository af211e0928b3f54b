package dev.baton.core;

import dev.baton.core.state.HashIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The first outcome of every keyed request, so that a retry is answered alike and applies
 * nothing twice (API.md: for 24 hours, at most a configured number of keys, the oldest dropped
 * first).
 *
 * <p><b>One record per log entry.</b> The keyed requests of an entry are remembered together
 * under {@code i/{entry index}}: under load an entry carries about ten requests, and one insert
 * into the store per entry replaced two per request, which were the largest part of a follower's
 * applying thread (docs/PERFORMANCE.md). Records are in log order, so the oldest keys are the
 * first record and dropping them is a delete at the front.
 *
 * <p><b>Finding a key.</b> A {@link HashIndex} in the heap maps each key's 64-bit hash to the
 * entries whose record holds a key with that hash; it is derived from the records (their
 * headers carry the hashes, so rebuilding it reads no key) and kept in step with them. A request
 * with a new key, nearly every request, reads no record; a hash shared by two keys costs one
 * more read, never a wrong answer, because the record is searched for the key itself.
 *
 * <p><b>Expiry.</b> A record older than 24 hours of machine time counts as gone at once but is
 * deleted later, oldest first and a few per entry, so that no entry does unbounded work. A key
 * sent again after a day is remembered again in a newer record; at most one record holding a
 * key is ever young enough to count, because records expire in log order.
 *
 * <p>Record: the machine time it was written (i64), n (i32), the n keys' hashes (i64 each),
 * then n times key (str), fingerprint (i64), outcome (blob).
 */
final class IdempotencyTable {
    /** What a remembered request asked (its fingerprint) and first answered. */
    record Found(long fingerprint, byte[] outcome) {
    }

    private record Pending(String key, long hash, long fingerprint, byte[] outcome) {
    }

    private final Tables tables;
    private final HashIndex index;
    private final long keysMax;
    /** The keyed requests of the entry being applied, written as its record when it ends. */
    private final List<Pending> pending = new ArrayList<>();
    /**
     * No later than the time of the oldest record, or -1 when not known: lets most entries skip
     * reading the oldest record. Derived (forgotten by {@link #rebuild}), never stored.
     */
    private long oldestAtMs = -1;
    /**
     * No record sorts before this key: where the search for the oldest record starts. Derived,
     * never stored. A B-tree store keeps the leaves that dropping emptied (MapDB does), so a
     * search from the table's first key walked every record ever dropped, and once the table
     * was full every entry paid for it: a 32-agent drain fell from about 1,500 to 900 claims/s
     * after a million keyed requests, three quarters of the applying thread in that walk
     * (docs/PERFORMANCE.md, item 17).
     */
    private String dropFrom = Keys.IDEMPOTENCY;

    IdempotencyTable(Tables tables, HashIndex index, long keysMax) {
        Check.state(keysMax >= 1, "idempotencyKeysMax must be positive");
        this.tables = tables;
        this.index = index;
        this.keysMax = keysMax;
    }

    /** Refills the index from the stored records: the machine started or its store was replaced. */
    void rebuild() {
        index.clear();
        pending.clear();
        oldestAtMs = -1;
        dropFrom = Keys.IDEMPOTENCY;
        Iterator<Map.Entry<String, byte[]>> it = tables.store.scan(Keys.IDEMPOTENCY,
                Keys.IDEMPOTENCY + Keys.END);
        while (it.hasNext()) {
            Map.Entry<String, byte[]> e = it.next();
            long entry = Keys.idempotencyEntry(e.getKey());
            for (long hash : Header.decode(e.getValue()).hashes) {
                index.add(hash, entry);
            }
        }
    }

    /**
     * What a request sent with {@code key} first answered, if the key is remembered and not older
     * than a day at {@code nowMs}; else null. The caller compares the fingerprint.
     */
    Found find(String key, long nowMs) {
        long hash = hash(key);
        for (Pending p : pending) {
            if (p.hash == hash && p.key.equals(key)) {
                return new Found(p.fingerprint, p.outcome);
            }
        }
        for (long entry : index.get(hash)) {
            byte[] record = tables.store.get(Keys.idempotency(entry));
            Check.state(record != null, "the idempotency index names a missing record " + entry);
            Found found = findIn(record, key, hash, nowMs);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static Found findIn(byte[] record, String key, long hash, long nowMs) {
        ByteReader r = new ByteReader(record);
        Header h = Header.read(r);
        if (expired(h.atMs, nowMs)) {
            return null;
        }
        for (long keyHash : h.hashes) {
            String k = r.str();
            long fingerprint = r.i64();
            byte[] outcome = r.blob();
            if (keyHash == hash && k.equals(key)) {
                return new Found(fingerprint, outcome);
            }
        }
        return null;
    }

    /** Remembers a keyed request of the entry being applied: stored when the entry ends. */
    void remember(String key, long fingerprint, byte[] outcome) {
        pending.add(new Pending(key, hash(key), fingerprint, outcome));
    }

    /**
     * Ends an entry: stores its record, if any of its requests was remembered, then drops the
     * oldest records while the table holds more than its size (bounded by the keys this entry
     * added, since every record holds one at least) and up to a few that are older than a day.
     */
    void endEntry(long entryIndex, long nowMs) {
        long count = tables.meta(Tables.IDEMPOTENCY_COUNT, 0);
        if (!pending.isEmpty()) {
            if (count == 0) {
                oldestAtMs = nowMs;
            }
            ByteWriter w = new ByteWriter(256 * pending.size());
            w.i64(nowMs).i32(pending.size());
            for (Pending p : pending) {
                w.i64(p.hash);
            }
            for (Pending p : pending) {
                w.str(p.key).i64(p.fingerprint).blob(p.outcome);
                index.add(p.hash, entryIndex);
            }
            tables.store.put(Keys.idempotency(entryIndex), w.toByteArray());
            count += pending.size();
            tables.putMeta(Tables.IDEMPOTENCY_COUNT, count);
            pending.clear();
        }
        if (count == 0 || count <= keysMax && oldestAtMs >= 0 && !expired(oldestAtMs, nowMs)) {
            return;
        }
        oldestAtMs = -1;
        int expiredDropped = 0;
        while (count > 0) {
            String oldest = tables.firstKey(dropFrom, Keys.IDEMPOTENCY + Keys.END);
            Check.state(oldest != null, "the idempotency table counts " + count
                    + " keys but holds no record");
            Header h = Header.decode(tables.store.get(oldest));
            boolean tooMany = count > keysMax;
            if (!tooMany && (!expired(h.atMs, nowMs)
                    || expiredDropped == Limits.IDEMPOTENCY_DROPS_PER_ENTRY_MAX)) {
                oldestAtMs = h.atMs;
                break;
            }
            if (!tooMany) {
                expiredDropped++;
            }
            long entry = Keys.idempotencyEntry(oldest);
            for (long hash : h.hashes) {
                index.remove(hash, entry);
            }
            tables.store.delete(oldest);
            dropFrom = Keys.idempotency(entry + 1);
            count -= h.hashes.length;
        }
        tables.putMeta(Tables.IDEMPOTENCY_COUNT, count);
    }

    private static boolean expired(long atMs, long nowMs) {
        return atMs + Limits.IDEMPOTENCY_TTL_MS < nowMs;
    }

    /** A record's time and its keys' hashes: all that dropping it and indexing it need. */
    private record Header(long atMs, long[] hashes) {
        static Header decode(byte[] record) {
            return read(new ByteReader(record));
        }

        static Header read(ByteReader r) {
            long atMs = r.i64();
            long[] hashes = new long[r.i32()];
            for (int i = 0; i < hashes.length; i++) {
                hashes[i] = r.i64();
            }
            return new Header(atMs, hashes);
        }
    }

    /**
     * FNV-1a over the key's chars, 64 bits. Part of the stored format (records carry it), so it
     * never changes.
     */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    /** What identifies a request beyond its key: a retry must ask exactly the same. */
    static long fingerprint(Command command) {
        CRC32 crc = new CRC32();
        byte[] bytes = Codec.encodeCommand(command);
        crc.update(bytes);
        return (crc.getValue() << 32) ^ Arrays.hashCode(bytes);
    }
}
