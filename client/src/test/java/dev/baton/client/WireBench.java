package dev.baton.client;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * What reading one answer costs the client: a task read through a tree and straight from its
 * text, and the contract's times read by the general parser and by {@link Wire#instant}. Not a
 * test (timings do not belong in tests); run it by hand, see docs/PERFORMANCE.md item 18:
 *
 * <pre>
 * mvn -q -DskipTests install &amp;&amp; mvn -q -pl client test-compile
 * java -cp "client/target/test-classes:server/target/lib/*" dev.baton.client.WireBench
 * </pre>
 */
public final class WireBench {
    private WireBench() {
    }

    /** A claimed task as the server answers it, times and all. */
    private static final String TASK = """
            {"queue":"bench","id":41,"subject":"task 41","description":"","activeForm":null,\
            "status":"in_progress","ready":false,"owner":"bench-w7","token":1234,"priority":0,\
            "blockedBy":[],"blocks":[],"resources":[],"requires":[],"labels":{},"key":null,\
            "attempts":1,"maxAttempts":5,"stallMs":null,"notBefore":null,"progress":null,\
            "result":null,"failure":null,"createdAt":"2026-11-22T10:15:30.123Z",\
            "updatedAt":"2026-11-22T10:16:00.500Z","claimedAt":"2026-11-22T10:15:45.000Z",\
            "completedAt":null}""";
    private static final String[] TIMES = {"2026-11-22T10:15:30.123Z",
        "2026-11-22T10:16:00.500Z", "2026-11-22T10:15:45.000Z"};

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        long sink = 0;
        for (int round = 1; round <= 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += Wire.read(Wire.parse(TASK), Task.class).id();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += Wire.read(TASK, Task.class).id();
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                for (String time : TIMES) {
                    sink += OffsetDateTime.parse(time).toInstant().getNano();
                }
            }
            long t3 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                for (String time : TIMES) {
                    sink += Wire.instant(time).getNano();
                }
            }
            long t4 = System.nanoTime();
            System.out.printf("round %d: a task through a tree %.2f us, from its text %.2f us;"
                            + " its three times by the general parser %.2f us, by Wire.instant"
                            + " %.2f us%n", round, (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n,
                    (t3 - t2) / 1e3 / n, (t4 - t3) / 1e3 / n);
        }
        if (sink == 42) {
            System.out.println(Instant.EPOCH); // Keeps the loops' results alive.
        }
    }
}
