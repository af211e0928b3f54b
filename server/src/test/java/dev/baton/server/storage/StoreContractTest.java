package dev.baton.server.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.core.state.KeyValueStore;
import dev.baton.core.state.TreeMapStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One contract for every store the core runs on: the tiered store of a real node (heap and
 * MapDB), MapDB alone and the TreeMap store of tests and simulations must behave alike, or the
 * simulations prove nothing. Snapshots written from one and read into another must carry every
 * byte.
 */
class StoreContractTest {
    @TempDir
    static Path dir;

    static Stream<String> stores() {
        return Stream.of("treemap", "mapdb", "tiered");
    }

    private static KeyValueStore open(String kind, String name) throws Exception {
        return switch (kind) {
            case "treemap" -> new TreeMapStore();
            case "mapdb" -> MapDbStore.createEmpty(dir.resolve(name + ".db"));
            default -> TieredStore.createEmpty(dir.resolve(name + "-tiered.db"));
        };
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(Iterator<Map.Entry<String, byte[]>> it) {
        List<String> keys = new ArrayList<>();
        it.forEachRemaining(e -> keys.add(e.getKey()));
        return keys;
    }

    @ParameterizedTest
    @MethodSource("stores")
    void scansReturnExactlyTheKeysOfAPrefixInOrder(String kind) throws Exception {
        KeyValueStore s = open(kind, "scan");
        for (String k : List.of("t/a/2", "t/a/1", "t/a-b/1", "t/b/1", "t/a/10", "u/1")) {
            s.put(k, b(k));
        }
        assertEquals(List.of("t/a/1", "t/a/10", "t/a/2"), keys(s.scan("t/a/", "t/a/\uffff")));
        assertEquals(List.of("t/a-b/1", "t/a/1", "t/a/10", "t/a/2", "t/b/1"),
                keys(s.scan("t/", "t/\uffff")));
        assertEquals(List.of("t/a/10", "t/a/2"), keys(s.scan("t/a/10", "t/a/3")));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void keysOrderAsJavaStringsEvenBeyondTheBasicPlane(String kind) throws Exception {
        KeyValueStore s = open(kind, "unicode");
        // U+1F600 (a surrogate pair in Java) sorts before U+FFFD as a String, after it in UTF-8.
        // And chars on every boundary of MapDbStore's key encoding (one byte below 0x80).
        List<String> keys = List.of("k/q/a", "k/q/\ud83d\ude00", "k/q/\ufffd", "k/q/é",
                "k/q/\u007f", "k/q/\u0080", "k/q/\u0080\u0000", "k/q/\u00ff", "k/q/\u3fff",
                "k/q/\u4000", "k/q/\u7fff\u0001", "k/q/\u8000", "k/q/\ufffe", "k/q/\u0000");
        keys.forEach(k -> s.put(k, b(k)));
        List<String> expected = new ArrayList<>(keys);
        java.util.Collections.sort(expected);
        assertEquals(expected, keys(s.scan("k/q/", "k/q/\uffff")));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void putReplacesDeleteRemovesAndClearEmpties(String kind) throws Exception {
        KeyValueStore s = open(kind, "crud");
        s.put("k", b("1"));
        s.put("k", b("2"));
        assertArrayEquals(b("2"), s.get("k"));
        s.delete("k");
        assertNull(s.get("k"));
        s.delete("never-there");
        s.put("a", new byte[0]);
        assertArrayEquals(new byte[0], s.get("a"));
        s.clear();
        assertEquals(List.of(), keys(s.scan("", "\uffff")));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void theIdempotencyTableIsAnOrdinaryTable(String kind) throws Exception {
        // On disk in the tiered store, in the heap in the others.
        KeyValueStore s = open(kind, "idempotency");
        assertNull(s.get("i/k1"));
        s.put("i/k1", b("1"));
        s.put("i/k1", b("2"));
        s.put("i/k2", b("3"));
        assertArrayEquals(b("2"), s.get("i/k1"));
        s.delete("i/k1");
        assertNull(s.get("i/k1"));
        assertArrayEquals(b("3"), s.get("i/k2"));
        s.delete("i/k1");
        s.put("i/k1", b("4"));
        assertArrayEquals(b("4"), s.get("i/k1"));
        assertEquals(List.of("i/k1", "i/k2"), keys(s.scan("i/", "i0")));
        s.clear();
        assertNull(s.get("i/k2"));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aSnapshotCarriesEveryEntryIntoTheOtherKindOfStore(String kind) throws Exception {
        KeyValueStore source = open(kind, "snapshot-source");
        for (int i = 0; i < 1000; i++) {
            // Tables in both tiers of the tiered store (h/ and i/ on disk, the rest in heap).
            source.put("hiq".charAt(i % 3) + "/" + i, b("value " + i + " é"));
        }
        Path file = dir.resolve(kind + ".snapshot");
        Iterator<Map.Entry<String, byte[]>> all = source.scan("", "\uffff");
        SnapshotFile.write(file, new SnapshotFile.Position(3, 1234), all);

        KeyValueStore target = open(kind.equals("mapdb") ? "treemap" : "mapdb", "snapshot-target");
        SnapshotFile.Position at = SnapshotFile.read(file, target::put);
        assertEquals(new SnapshotFile.Position(3, 1234), at);
        assertEquals(keys(source.scan("", "\uffff")), keys(target.scan("", "\uffff")));
        for (int i = 0; i < 1000; i++) {
            String key = "hiq".charAt(i % 3) + "/" + i;
            assertArrayEquals(source.get(key), target.get(key));
        }
        if (source instanceof TieredStore tiered) {
            assertEquals(keys(source.scan("", "\uffff")), keys(tiered.all()));
        }
    }

    @org.junit.jupiter.api.Test
    void aTieredStoreLoadedFromASnapshotHoldsEveryEntryAndKeepsWorking() throws Exception {
        TieredStore source = TieredStore.createEmpty(dir.resolve("load-source.db"));
        for (int i = 0; i < 5000; i++) {
            // Cold (h/, i/) and hot tables interleaved in key order.
            source.put("hiotq".charAt(i % 5) + "/" + String.format("%06d", i), b("v" + i));
        }
        Path file = dir.resolve("load.snapshot");
        SnapshotFile.write(file, new SnapshotFile.Position(2, 77), source.all());

        TieredStore.Loaded loaded = TieredStore.load(dir.resolve("load-target.db"), file);
        TieredStore target = loaded.store();
        assertEquals(new SnapshotFile.Position(2, 77), loaded.at());
        assertEquals(keys(source.all()), keys(target.all()));
        assertEquals(5000, target.size());
        assertArrayEquals(b("v1"), target.get("i/000001"));
        assertNull(target.get("i/000002")); // A key of another table is not in this one.
        target.delete("i/000001");
        assertNull(target.get("i/000001"));
        target.put("i/000001", b("again"));
        assertArrayEquals(b("again"), target.get("i/000001"));
        assertEquals(List.of("h/000000", "h/000005"), keys(target.scan("h/", "h/000006")));

        // The bulk-built B-tree is an ordinary one afterwards.
        target.put("h/000001", b("new"));
        target.delete("h/000005");
        assertEquals(List.of("h/000000", "h/000001"), keys(target.scan("h/", "h/000006")));
        // So is the heap tier, built from the sorted entries in one pass.
        target.put("t/000002", b("new"));
        target.delete("t/000003");
        assertEquals(List.of("t/000002", "t/000008"), keys(target.scan("t/", "t/000009")));
        target.close();
        source.close();
    }

    @org.junit.jupiter.api.Test
    void aSnapshotWithValuesLargerThanTheReadBufferLoads() throws Exception {
        byte[] big = new byte[3 << 20];
        java.util.Arrays.fill(big, (byte) 7);
        big[big.length - 1] = 9;
        Path file = dir.resolve("big.snapshot");
        SnapshotFile.write(file, new SnapshotFile.Position(1, 2), List.of(
                Map.entry("h/a", big), Map.entry("t/b", b("small")),
                Map.entry("t/c", big)).iterator());
        TieredStore.Loaded loaded = TieredStore.load(dir.resolve("big.db"), file);
        assertArrayEquals(big, loaded.store().get("h/a"));
        assertArrayEquals(b("small"), loaded.store().get("t/b"));
        assertArrayEquals(big, loaded.store().get("t/c"));
        loaded.store().close();
    }

    @org.junit.jupiter.api.Test
    void aSnapshotOutOfKeyOrderIsRefusedNotLoadedWrong() throws Exception {
        Path file = dir.resolve("unordered.snapshot");
        SnapshotFile.write(file, new SnapshotFile.Position(1, 2), List.of(
                Map.entry("t/b", b("1")), Map.entry("t/a", b("2"))).iterator());
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.io.IOException.class,
                () -> TieredStore.load(dir.resolve("unordered.db"), file));
        assertTrue(e.getMessage().contains("not in key order"),
                e.getMessage());
    }
}
