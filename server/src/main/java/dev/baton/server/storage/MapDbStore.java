package dev.baton.server.storage;

import dev.baton.core.state.KeyValueStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;

/**
 * The core's ordered key-value store in a MapDB B-tree on disk, so that a node's heap does not
 * grow with every task ever created.
 *
 * <p>The file is a working copy, not the durable record: it is created empty when the state
 * machine starts and filled from the latest snapshot, after which Ratis replays the log. That
 * is why it runs without MapDB's write-ahead log or transactions: durability comes from the Raft
 * log (fsynced before an entry is acknowledged) and from snapshots, and a crash loses nothing
 * that a restart does not rebuild. See ARCHITECTURE.md, "Where bytes reach disk".
 */
public final class MapDbStore implements KeyValueStore, AutoCloseable {
    private final Path file;
    private final DB db;
    private final BTreeMap<byte[], byte[]> map;

    private MapDbStore(Path file, DB db, BTreeMap<byte[], byte[]> map) {
        this.file = file;
        this.db = db;
        this.map = map;
    }

    /** Creates a fresh, empty store at {@code file}, deleting whatever was there. */
    public static MapDbStore createEmpty(Path file) throws IOException {
        DB db = newDb(file);
        return new MapDbStore(file, db, mapMaker(db).createOrOpen());
    }

    /**
     * Starts a fresh store at {@code file} that is filled in ascending key order and then
     * built bottom-up in one pass ({@link Loader#finish}), many times faster than inserting
     * the keys one by one: how a snapshot is loaded.
     */
    public static Loader load(Path file) throws IOException {
        DB db = newDb(file);
        return new Loader(file, db, mapMaker(db).createFromSink());
    }

    /** Takes entries in ascending key order; {@link #finish} makes the store. */
    public static final class Loader {
        private final Path file;
        private final DB db;
        private final DB.TreeMapSink<byte[], byte[]> sink;

        private Loader(Path file, DB db, DB.TreeMapSink<byte[], byte[]> sink) {
            this.file = file;
            this.db = db;
            this.sink = sink;
        }

        public void put(String key, byte[] value) {
            sink.put(key(key), value);
        }

        public MapDbStore finish() {
            return new MapDbStore(file, db, sink.create());
        }
    }

    private static DB newDb(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        return DBMaker.fileDB(file.toFile())
                .fileMmapEnableIfSupported()
                .fileMmapPreclearDisable()
                .fileDeleteAfterClose()
                .make();
    }

    /**
     * Keys as bytes and values outside the B-tree nodes: a profile of the apply thread showed
     * it spending most of its time decoding String keys char by char, and copying every value
     * of a node, on each lookup; then copying the mapped buffer once per key it decoded
     * ({@link ByteArraySerializer}). Nodes of 16 keys, not MapDB's 32: every node on the way
     * down is decoded whole: {@code ApplyBench}, per claimed and completed task, 45 µs with
     * 16, 55 with 32, 68 with 64 (and 68 with 32 before this serializer and key encoding;
     * docs/PERFORMANCE.md).
     */
    private static DB.TreeMapMaker<byte[], byte[]> mapMaker(DB db) {
        return db.treeMap("state", ByteArraySerializer.INSTANCE, ByteArraySerializer.INSTANCE)
                .valuesOutsideNodesEnable()
                .maxNodeSize(16);
    }

    /**
     * A key's chars as unsigned-comparable bytes, so that this store scans in exactly the
     * order of {@link String#compareTo} (the in-memory store's), for any key: a char below 0x80
     * is one byte (keys are mostly ASCII), any other is three, {@code 0x80 | c >>> 14} then
     * seven bits and seven bits. The codes keep the chars' order and none is a prefix of
     * another, so byte order is char order. Half the bytes of UTF-16 for ASCII keys, and MapDB
     * copies every key of every node it visits (docs/PERFORMANCE.md).
     */
    static byte[] key(String key) {
        int n = key.length();
        int size = n;
        for (int i = 0; i < n; i++) {
            if (key.charAt(i) >= 0x80) {
                size += 2;
            }
        }
        byte[] bytes = new byte[size];
        int at = 0;
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            if (c < 0x80) {
                bytes[at++] = (byte) c;
            } else {
                bytes[at++] = (byte) (0x80 | c >>> 14);
                bytes[at++] = (byte) (c >>> 7 & 0x7f);
                bytes[at++] = (byte) (c & 0x7f);
            }
        }
        return bytes;
    }

    static String key(byte[] bytes) {
        StringBuilder key = new StringBuilder(bytes.length);
        for (int at = 0; at < bytes.length; ) {
            int b = bytes[at++] & 0xff;
            if (b < 0x80) {
                key.append((char) b);
            } else {
                key.append((char) ((b & 0x03) << 14 | bytes[at] << 7 | bytes[at + 1]));
                at += 2;
            }
        }
        return key.toString();
    }

    @Override
    public byte[] get(String key) {
        return map.get(key(key));
    }

    @Override
    public void put(String key, byte[] value) {
        map.put(key(key), value);
    }

    @Override
    public void delete(String key) {
        map.remove(key(key));
    }

    @Override
    public Iterator<Map.Entry<String, byte[]>> scan(String fromInclusive, String toExclusive) {
        return decoded(map.subMap(key(fromInclusive), true, key(toExclusive), false)
                .entrySet().iterator());
    }

    @Override
    public void clear() {
        map.clear();
    }

    /** Every entry in key order: what a snapshot writes. */
    public Iterator<Map.Entry<String, byte[]>> all() {
        return decoded(map.entrySet().iterator());
    }

    private static Iterator<Map.Entry<String, byte[]>> decoded(
            Iterator<Map.Entry<byte[], byte[]>> entries) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Map.Entry<String, byte[]> next() {
                Map.Entry<byte[], byte[]> e = entries.next();
                return Map.entry(key(e.getKey()), e.getValue());
            }
        };
    }

    public long size() {
        return map.sizeLong();
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        db.close();
    }
}
