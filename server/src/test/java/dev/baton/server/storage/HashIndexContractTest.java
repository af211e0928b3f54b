package dev.baton.server.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.core.state.HashIndex;
import dev.baton.core.state.HeapHashIndex;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The node's primitive index and the JDK one of tests and simulations must agree, or the
 * simulations prove nothing about a node's idempotency: the same values under every hash after
 * the same adds and removes, including hashes holding several values.
 */
class HashIndexContractTest {
    static Stream<HashIndex> indexes() {
        return Stream.of(new PrimitiveHashIndex(), new HeapHashIndex());
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void aHashHoldsEveryValueAddedUntilEachIsRemoved(HashIndex index) {
        assertArrayEquals(new long[0], index.get(7));
        index.add(7, 100);
        index.add(7, 200); // A second key with the same hash, or one key remembered twice.
        index.add(7, 300);
        index.add(8, 100);
        assertEquals("[100, 200, 300]", sorted(index.get(7)));
        index.remove(7, 100); // The first value goes while others remain.
        assertEquals("[200, 300]", sorted(index.get(7)));
        index.remove(7, 999); // Not there: nothing changes.
        index.remove(9, 100);
        assertEquals("[200, 300]", sorted(index.get(7)));
        index.remove(7, 300);
        index.remove(7, 200);
        assertArrayEquals(new long[0], index.get(7));
        assertEquals("[100]", sorted(index.get(8)));
        index.clear();
        assertArrayEquals(new long[0], index.get(8));
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void randomAddsAndRemovesLeaveWhatAModelLeaves(HashIndex index) {
        SplittableRandom random = new SplittableRandom(42);
        TreeMap<Long, TreeSet<Long>> model = new TreeMap<>();
        for (int step = 0; step < 20_000; step++) {
            long hash = random.nextInt(50); // Few hashes, so that most hold several values.
            long value = random.nextInt(40);
            TreeSet<Long> values = model.computeIfAbsent(hash, h -> new TreeSet<>());
            if (values.contains(value)) {
                index.remove(hash, value);
                values.remove(value);
            } else {
                index.add(hash, value);
                values.add(value);
            }
        }
        for (long hash = 0; hash < 50; hash++) {
            assertEquals(String.valueOf(model.getOrDefault(hash, new TreeSet<>())),
                    sorted(index.get(hash)), "hash " + hash);
        }
    }

    private static String sorted(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return Arrays.toString(copy);
    }
}
