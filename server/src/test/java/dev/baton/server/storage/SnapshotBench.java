package dev.baton.server.storage;

import dev.baton.core.Command;
import dev.baton.core.Entry;
import dev.baton.core.TaskMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * How long a node takes to load a snapshot of n tasks (each created with an idempotency key, as
 * {@code baton bench --scenario create} does): the file read alone, then whole loads into a
 * {@link TieredStore}. Not a test; run it by hand (docs/PERFORMANCE.md):
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl server test-compile
 * java -Xmx3g -cp "server/target/test-classes:server/target/baton.jar:server/target/lib/*" \
 *     dev.baton.server.storage.SnapshotBench 1000000
 * </pre>
 */
public final class SnapshotBench {
    private SnapshotBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("snapshot-bench");
        Path snapshot = dir.resolve("snapshot");
        try (TieredStore store = TieredStore.createEmpty(dir.resolve("source.db"))) {
            TaskMachine m = new TaskMachine(store, 1_000_000);
            long time = 1_700_000_000_000L;
            for (int i = 0; i < n; i++) {
                m.apply(i + 1, new Entry(time + i, "key-" + i, new Command.CreateTask("million",
                        "task " + i, null, null, 0, List.of(), List.of(), List.of(),
                        new TreeMap<>(), null, null, null, null, null)));
            }
            SnapshotFile.write(snapshot, new SnapshotFile.Position(1, n), store.all());
            System.out.printf("%d tasks: %d entries, %d MB%n", n, store.size(),
                    Files.size(snapshot) >> 20);
        }
        for (int round = 1; round <= rounds; round++) {
            long t0 = System.nanoTime();
            long[] entries = new long[1];
            SnapshotFile.read(snapshot, (key, value) -> entries[0]++);
            long t1 = System.nanoTime();
            try (TieredStore loaded = TieredStore.load(dir.resolve("load.db"), snapshot).store()) {
                long t2 = System.nanoTime();
                System.out.printf("round %d: read %d entries %d ms, load %d ms%n", round,
                        entries[0], (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
            }
        }
    }
}
