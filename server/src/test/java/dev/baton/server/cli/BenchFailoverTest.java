package dev.baton.server.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.server.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code baton bench} through a leader's loss, with each driver: the leader stops as the measured
 * claims begin, and the bench still claims and completes every task exactly once, with no
 * failed operation (its retries carry their Idempotency-Key to the next node). This is what
 * {@code bin/perf}'s failover scenario relies on.
 */
class BenchFailoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TASKS = 1500;

    @TempDir
    Path dir;
    TestCluster cluster;

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "client"})
    void aBenchWhoseLeaderStopsMidDrainStillClaimsEveryTaskOnce(String driver) throws Exception {
        cluster = TestCluster.started(dir, 3);
        int leader = cluster.awaitLeader();
        CliRunner baton = new CliRunner(String.join(",", cluster.addressesFrom(leader)), dir);
        CliRunner.Running bench = baton.start("bench", "--scenario", "drain", "--workers", "8",
                "--tasks", Integer.toString(TASKS), "--warmup", "0", "--driver", driver,
                "--json");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() ->
                bench.errSoFar().contains("\"run\":\"bench\",\"phase\":\"claim\""));
        cluster.stop(leader);
        // The leader was lost mid-claims (a drain of this size takes seconds here).
        assertFalse(bench.ended(), "the bench was still running when the leader stopped");

        CliRunner.Result r = bench.result(Duration.ofSeconds(120));
        assertEquals(0, r.code(), r::toString);
        JsonNode report = JSON.readTree(r.out());
        assertEquals(TASKS, report.path("tasksClaimed").asInt(), r::toString);
        assertEquals(TASKS, report.path("operations").path("complete").path("count").asInt(),
                r::toString);
        assertEquals(0, report.path("doubleClaims").asInt(), r::toString);
        assertEquals(0, report.path("failures").size(), r::toString);
        assertTrue(report.path("everyTaskClaimedExactlyOnce").asBoolean(), r::toString);
    }
}
