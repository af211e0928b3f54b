package dev.baton.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.client.ClusterInfo;
import dev.baton.client.Task;
import dev.baton.client.TaskEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The human lines, exactly as CLI.md and docs/cli.md show them. */
class FormatTest {
    private static <T> T read(String json, Class<T> type) {
        try {
            return Api.decode(Api.JSON.readTree(json), type);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static Task task(long id, String subject, String status, String owner, Long token,
                             String blockedBy) {
        return read(FakeServer.task(id, subject, status, owner, token, blockedBy), Task.class);
    }

    @Test
    void aListLineShowsTheOwnerAndTheBlockersOnlyWhenThereAreSome() {
        assertEquals("#2 [in_progress] Review auth module (owner: sec) [blocked by #1]",
                Format.listLine(task(2, "Review auth module", "in_progress", "sec", 5L, "1")));
        assertEquals("#2 [pending] Review auth module",
                Format.listLine(task(2, "Review auth module", "pending", null, null, "")));
        assertEquals("#7 [pending] Ship it [blocked by #1, #3]",
                Format.listLine(task(7, "Ship it", "pending", null, null, "1, 3")));
        assertEquals("#3 [completed] Two lines", Format.listLine(
                task(3, "Two\\nlines", "completed", null, null, "")));
    }

    @Test
    void theCreateAndClaimLinesAreTheContractsOwn() {
        assertEquals("task #41 · status pending",
                Format.created(task(41, "s", "pending", null, null, "")));
        assertEquals("task #42 · status pending",
                Format.created(task(42, "s", "pending", null, null, "41")));
        assertEquals("✓ claimed #41 by agent:run_7a1 · token 1234 · lease 30s",
                Format.claimed(task(41, "s", "in_progress", "agent:run_7a1", 1234L, ""), 1234,
                        Duration.ofSeconds(30), false));
    }

    @Test
    void theOwnerCallsSayWhereTheTaskNowIs() {
        assertEquals("✓ completed #41", Format.completed(task(41, "s", "completed", null, null,
                "")));
        assertEquals("✓ failed #41 · attempt 0 of 5 · pending again in 10s",
                Format.failed(task(41, "s", "pending", null, null, ""), Duration.ofSeconds(10)));
        assertEquals("✓ failed #41 · attempt 0 of 5 · status failed",
                Format.failed(task(41, "s", "failed", null, null, ""), null));
        assertEquals("✗ failed #41 · exit 3 · attempt 0 of 5 · status failed",
                Format.failedRun(task(41, "s", "failed", null, null, ""), 3));
        assertEquals("✓ released #41 · status pending",
                Format.released(task(41, "s", "pending", null, null, "")));
        assertEquals("✓ handed off #41 to agent:b · token 9",
                Format.handedOff(task(41, "s", "in_progress", "agent:b", 9L, ""), 9));
    }

    @Test
    void anEventIsOneLineWithItsTaskAndIndex() {
        TaskEvent e = read("""
                {"queue": "default", "id": 41, "index": 57, "at": "2026-11-22T10:15:30Z",
                 "type": "claimed", "agent": "agent:a", "token": 12, "reason": null}""",
                TaskEvent.class);
        assertEquals("2026-11-22T10:15:30.000Z  default#41 claimed by agent:a · token 12"
                + " (index 57)", Format.event(e));
        TaskEvent updated = read("""
                {"queue": "q", "id": 2, "index": 60, "at": "2026-11-22T10:15:31.5Z",
                 "type": "updated", "agent": null, "token": null, "reason": null,
                 "fields": ["priority", "subject"]}""", TaskEvent.class);
        assertEquals("updated · priority, subject", Format.happened(updated));
    }

    @Test
    void theClusterTableShowsEachNodesIndexesAndLag() {
        ClusterInfo c = read("""
                {"leader": "n1", "term": 3, "nodes": [
                 {"id": "n1", "raftAddress": "127.0.0.1:9070", "httpAddress": "127.0.0.1:7070",
                  "role": "leader", "term": 3, "commitIndex": 120, "appliedIndex": 120},
                 {"id": "n2", "raftAddress": "127.0.0.1:9071", "httpAddress": "127.0.0.1:7071",
                  "role": "follower", "term": 3, "commitIndex": 118, "appliedIndex": 117},
                 {"id": "n3", "raftAddress": "127.0.0.1:9072", "httpAddress": "127.0.0.1:7072",
                  "role": "unreachable", "commitIndex": 90, "appliedIndex": null}]}""",
                ClusterInfo.class);
        assertEquals(List.of(
                "leader n1 · term 3",
                "NODE  ROLE         TERM  COMMIT  APPLIED  LAG  HTTP            RAFT",
                "n1    leader          3     120      120    0  127.0.0.1:7070  127.0.0.1:9070",
                "n2    follower        3     118      117    3  127.0.0.1:7071  127.0.0.1:9071",
                "n3    unreachable     -      90        -    -  127.0.0.1:7072  127.0.0.1:9072"),
                Format.cluster(c));
    }
}
