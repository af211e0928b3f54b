package dev.baton.server.storage;

import dev.baton.core.state.KeyValueStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

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
     * of a node, on each lookup (docs/PERFORMANCE.md).
     */
    private static DB.TreeMapMaker<byte[], byte[]> mapMaker(DB db) {
        return db.treeMap("state", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                .valuesOutsideNodesEnable();
    }

    /**
     * UTF-16BE compared as unsigned bytes (as MapDB's byte-array serializer does) orders keys
     * exactly as {@link String#compareTo} does, so this store scans in the same order as the
     * in-memory one, for any key.
     */
    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_16BE);
    }

    private static String key(byte[] key) {
        return new String(key, StandardCharsets.UTF_16BE);
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
