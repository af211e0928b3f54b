package dev.baton.server.http;

import dev.baton.core.Command;
import dev.baton.core.Entry;
import dev.baton.core.Outcome;
import dev.baton.core.TaskMachine;
import dev.baton.core.state.TreeMapStore;
import java.util.List;
import java.util.TreeMap;

/**
 * What encoding an answer costs the node that sends it: a claim-next's answer and a complete's,
 * as {@link Api#result} renders them. Not a test (timings do not belong in tests); run it by
 * hand, see docs/PERFORMANCE.md item 18:
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl server test-compile
 * java -cp "server/target/test-classes:server/target/baton.jar:server/target/lib/*" \
 *     dev.baton.server.http.AnswerBench
 * </pre>
 */
public final class AnswerBench {
    private AnswerBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        TaskMachine m = new TaskMachine(new TreeMapStore(), 1_000);
        long time = 1_700_000_000_000L;
        m.applyAll(1, List.of(new Entry(time, "c", new Command.CreateTask("bench", "task 1",
                "", null, 0, List.of(), List.of("src/**"), List.of(),
                new TreeMap<>(java.util.Map.of("team", "infra")), null, null, null, null,
                null))));
        Outcome claimed = m.applyAll(2, List.of(new Entry(time + 1, "n", new Command.ClaimNext(
                "bench", "agent-7", 1, List.of(), new TreeMap<>(), 30_000)))).get(0);
        Outcome.Claimed claim = ((Outcome.ClaimedMany) claimed).claims().get(0);
        Outcome completed = m.applyAll(3, List.of(new Entry(time + 2, "d",
                new Command.CompleteTask("bench", claim.task().id(), claim.token(), "ok"))))
                .get(0);
        long sink = 0;
        for (int round = 1; round <= 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += Api.result(claimed).body().length;
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += Api.result(completed).body().length;
            }
            long t2 = System.nanoTime();
            System.out.printf("round %d: a claim-next's answer %.2f us, a complete's %.2f us%n",
                    round, (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n);
        }
        System.out.println(sink > 0 ? "" : "-");
    }
}
