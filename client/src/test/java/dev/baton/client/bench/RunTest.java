package dev.baton.client.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** What a bench run counts as a double claim, and the options it refuses. */
class RunTest {

    @Test
    void aSecondGrantOfATaskIsADoubleClaimButTheSameGrantSeenAgainIsNot() {
        Bench.Run run = new Bench.Run(4, 1, "bench",
                new PrintStream(OutputStream.nullOutputStream()));
        run.claimed(1, 100);
        run.claimed(2, 101);
        // A pulse lists claim 1 again after its complete failed: the same grant.
        run.claimed(1, 100);
        assertEquals(0, run.doubleClaims.get());
        assertEquals(2, run.claimed.size());
        // Task 2 granted again with a new token: two owners of one task.
        run.claimed(2, 102);
        assertEquals(1, run.doubleClaims.get());
    }

    @Test
    void aServerThatIsNotHostAndPortIsAUsageError() {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        for (String servers : new String[] {"127.0.0.1", "127.0.0.1:x", "127.0.0.1:1,:7070",
                "https://127.0.0.1:7070"}) {
            assertEquals(2, Bench.run(new String[] {"--server", servers}, null, quiet, quiet),
                    servers);
        }
    }
}
