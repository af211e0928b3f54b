package dev.baton.server.storage;

import dev.baton.core.Command;
import dev.baton.core.Entry;
import dev.baton.core.Outcome;
import dev.baton.core.TaskMachine;
import dev.baton.core.state.KeyValueStore;
import dev.baton.core.state.TreeMapStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The apply path alone, one replica, no Raft: how long the machine takes per entry on each
 * store. Not a test (timings do not belong in tests); run it by hand, see docs/PERFORMANCE.md:
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl server test-compile
 * java -cp "server/target/test-classes:server/target/baton.jar:server/target/lib/*" \
 *     dev.baton.server.storage.ApplyBench 20000 [treemap|mapdb|tiered ...] [rounds] [batch]
 * </pre>
 *
 * <p>{@code batch} requests share one log entry, as group commit packs them under load (the
 * 32-worker drain carries about ten an entry).
 */
public final class ApplyBench {
    private ApplyBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = Files.createTempDirectory("apply-bench");
        List<String> kinds = args.length > 1 ? List.of(args[1].split(","))
                : List.of("treemap", "mapdb", "tiered");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        for (String kind : kinds) {
            for (int round = 1; round <= rounds; round++) {
                KeyValueStore store = switch (kind) {
                    case "treemap" -> new TreeMapStore();
                    case "mapdb" -> MapDbStore.createEmpty(dir.resolve(kind + round + ".db"));
                    default -> TieredStore.createEmpty(dir.resolve(kind + round + ".db"));
                };
                run(kind, round, n, batch, store);
                if (store instanceof AutoCloseable c) {
                    c.close();
                }
            }
        }
    }

    /**
     * Creates n tasks, then claims (claim-next) and completes each, every request keyed, {@code
     * batch} requests to an entry (the claims of one batch in one entry, their completes in the
     * next).
     */
    private static void run(String kind, int round, int n, int batch, KeyValueStore store) {
        TaskMachine m = new TaskMachine(store, new PrimitiveHashIndex(), 1_000_000);
        long index = 1;
        long time = 1_700_000_000_000L;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i += batch) {
            List<Entry> creates = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + batch); j++) {
                creates.add(new Entry(time, "c-" + j, new Command.CreateTask("bench",
                        "task " + j, null, null, 0, List.of(), List.of(), List.of(),
                        new TreeMap<>(), null, null, null, null, null)));
            }
            m.applyAll(index++, creates);
            time++;
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i += batch) {
            List<Entry> claims = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + batch); j++) {
                claims.add(new Entry(time, "n-" + j, new Command.ClaimNext(
                        "bench", "agent-" + (j % 32), 1, List.of(), new TreeMap<>(), 30_000)));
            }
            List<Entry> completes = new ArrayList<>();
            int j = i;
            for (Outcome o : m.applyAll(index++, claims)) {
                Outcome.Claimed c = ((Outcome.ClaimedMany) o).claims().get(0);
                completes.add(new Entry(time, "d-" + j++, new Command.CompleteTask("bench",
                        c.task().id(), c.token(), "ok")));
            }
            m.applyAll(index++, completes);
            time++;
        }
        long t2 = System.nanoTime();
        System.out.printf("%-8s round %d, %d an entry: create %6.1f us/request, claim-next +"
                + " complete %6.1f us per task%n", kind, round, batch, (t1 - t0) / 1e3 / n,
                (t2 - t1) / 1e3 / n);
    }
}
