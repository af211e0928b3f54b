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
    private final BTreeMap<String, byte[]> map;

    private MapDbStore(Path file, DB db, BTreeMap<String, byte[]> map) {
        this.file = file;
        this.db = db;
        this.map = map;
    }

    /** Creates a fresh, empty store at {@code file}, deleting whatever was there. */
    public static MapDbStore createEmpty(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        DB db = DBMaker.fileDB(file.toFile())
                .fileMmapEnableIfSupported()
                .fileMmapPreclearDisable()
                .fileDeleteAfterClose()
                .make();
        BTreeMap<String, byte[]> map = db.treeMap("state", Serializer.STRING,
                Serializer.BYTE_ARRAY).createOrOpen();
        return new MapDbStore(file, db, map);
    }

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

    /** Every entry in key order: what a snapshot writes. */
    public Iterator<Map.Entry<String, byte[]>> all() {
        return map.entrySet().iterator();
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
