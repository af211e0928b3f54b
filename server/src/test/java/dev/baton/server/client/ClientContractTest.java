package dev.baton.server.client;

import dev.baton.server.TestCluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.client.AgentSession;
import dev.baton.client.BatonClient;
import dev.baton.client.Claim;
import dev.baton.client.ClaimHandle;
import dev.baton.client.ClaimNext;
import dev.baton.client.ClaimResult;
import dev.baton.client.ClusterInfo;
import dev.baton.client.ConflictException;
import dev.baton.client.EventStream;
import dev.baton.client.NewTask;
import dev.baton.client.NotFoundException;
import dev.baton.client.PulseResult;
import dev.baton.client.QueueInfo;
import dev.baton.client.RefusedException;
import dev.baton.client.Task;
import dev.baton.client.TaskEvent;
import dev.baton.client.TaskPage;
import dev.baton.client.TaskQuery;
import dev.baton.client.TaskStatus;
import dev.baton.client.TaskUpdate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call the client wraps, once, against a real cluster: the server's answers map onto the
 * client's records, and its refusals onto the client's exceptions.
 */
class ClientContractTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;
    static BatonClient client;

    @BeforeAll
    static void start() {
        cluster = TestCluster.started(dir, 3);
        client = BatonClient.builder().servers(cluster.addressesFrom(1))
                .sessionTtl(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void tasksAreCreatedReadListedUpdatedAndDeletedWithEveryField() {
        String q = "tasks";
        Task first = client.createTask(q, NewTask.of("Review auth module")
                .description("the login flow").activeForm("Reviewing auth module").priority(1)
                .resources("src/auth/**").requires("python").label("team", "sec")
                .key("review-auth").maxAttempts(3).stall(Duration.ofMinutes(10)));
        assertEquals(1, first.id());
        assertEquals(q, first.queue());
        assertEquals(TaskStatus.PENDING, first.status());
        assertTrue(first.ready());
        assertEquals(List.of("src/auth/**"), first.resources());
        assertEquals(List.of("python"), first.requires());
        assertEquals(Map.of("team", "sec"), first.labels());
        assertEquals("review-auth", first.key());
        assertEquals(3, first.maxAttempts());
        assertEquals(600_000L, first.stallMs());
        assertNotNull(first.createdAt());
        assertEquals(first.createdAt(), first.updatedAt());

        // The same dedupe key answers the existing task; a delayed, blocked task waits.
        assertEquals(1, client.createTask(q, NewTask.of("again").key("review-auth")).id());
        Task second = client.createTask(q, NewTask.of("Ship").blockedBy(1)
                .delay(Duration.ofHours(1)));
        assertEquals(List.of(1L), second.blockedBy());
        assertFalse(second.ready());
        assertTrue(second.notBefore().isAfter(Instant.now().plusSeconds(3_000)));
        assertEquals(List.of(2L), client.task(q, 1).blocks());

        // Listing, filtering, paging.
        assertEquals(2, client.tasks(q).tasks().size());
        TaskPage page = client.tasks(q, TaskQuery.all().limit(1));
        assertEquals(1, page.tasks().size());
        assertEquals(1L, page.nextAfterId());
        assertEquals(List.of(2L), client.tasks(q, TaskQuery.all().afterId(1)).tasks().stream()
                .map(Task::id).toList());
        assertEquals(List.of(1L), client.tasks(q, TaskQuery.all().ready().label("team", "sec"))
                .tasks().stream().map(Task::id).toList());
        assertEquals(2, client.allTasks(q, TaskQuery.all().limit(1)).size());

        // Updates, a refused cycle, history, deletion unblocking the waiter.
        Task updated = client.updateTask(q, 2, TaskUpdate.create().priority(4).clearNotBefore());
        assertEquals(4, updated.priority());
        assertNull(updated.notBefore());
        ConflictException cycle = assertThrows(ConflictException.class,
                () -> client.updateTask(q, 1, TaskUpdate.create().addBlockedBy(2)));
        assertEquals(RefusedException.CYCLE, cycle.code());
        List<TaskEvent> history = client.history(q, 2);
        assertEquals(List.of(TaskEvent.CREATED, TaskEvent.UPDATED),
                history.stream().map(TaskEvent::type).toList());
        assertEquals(q, history.get(1).queue());
        assertEquals(2, history.get(1).id());
        assertTrue(history.get(1).fields().contains("priority"), history.toString());
        assertEquals(TaskStatus.DELETED, client.deleteTask(q, 1).status());
        assertTrue(client.task(q, 2).ready());

        QueueInfo info = client.queues().stream().filter(i -> i.name().equals(q)).findFirst()
                .orElseThrow();
        assertEquals(1, info.counts().pending());
        assertEquals(1, info.counts().ready());

        // Refusals: unknown task, unknown blocker, bad queue name.
        assertThrows(NotFoundException.class, () -> client.task(q, 99));
        RefusedException unknownBlocker = assertThrows(RefusedException.class,
                () -> client.createTask(q, NewTask.of("x").blockedBy(99)));
        assertEquals(RefusedException.INVALID_ARGUMENT, unknownBlocker.code());
        assertEquals(400, assertThrows(RefusedException.class,
                () -> client.tasks("Bad Queue")).status());
    }

    @Test
    void claimsAreGrantedReportedOnAndEndedThroughPlainCallsAndHandles() {
        String q = "claims";
        long a = client.createTask(q, NewTask.of("a")).id();
        long b = client.createTask(q, NewTask.of("b").priority(5).requires("gpu")).id();
        long c = client.createTask(q, NewTask.of("c")).id();

        // By id, again by the same agent, and by another agent.
        ClaimResult claimed = client.claimTask(q, a, "agent:one");
        assertFalse(claimed.reclaimed());
        assertEquals("agent:one", claimed.task().owner());
        assertEquals(claimed.token(), claimed.task().token());
        ClaimResult again = client.claimTask(q, a, "agent:one");
        assertTrue(again.reclaimed());
        assertEquals(claimed.token(), again.token());
        ConflictException taken = assertThrows(ConflictException.class,
                () -> client.claimTask(q, a, "agent:two"));
        assertEquals(RefusedException.ALREADY_CLAIMED, taken.code());
        assertEquals("agent:one", taken.owner());

        // Progress, fail (back to pending), release, complete with a stale token.
        Task progressed = client.progress(q, a, claimed.token(), "half", 50);
        assertEquals("half", progressed.progress().note());
        assertEquals(50, progressed.progress().percent());
        assertNotNull(progressed.progress().at());
        Task failed = client.fail(q, a, claimed.token(), "flaky", true, null);
        assertEquals(TaskStatus.PENDING, failed.status());
        assertEquals(1, failed.attempts());
        ConflictException stale = assertThrows(ConflictException.class,
                () -> client.complete(q, a, claimed.token(), "late"));
        assertEquals(RefusedException.STALE_TOKEN, stale.code());

        // Claim-next honours capabilities and priority.
        List<Claim> next = client.claimNextTasks(q, ClaimNext.as("agent:gpu").count(2)
                .capabilities("gpu"));
        assertEquals(List.of(b, a), next.stream().map(x -> x.task().id()).toList());
        assertEquals(TaskStatus.PENDING, client.release(q, a, next.get(1).token()).status());

        // Handoff: refused to an agent without a session, granted to a live one.
        ConflictException notLive = assertThrows(ConflictException.class,
                () -> client.handOff(q, b, next.get(0).token(), "agent:nobody", "yours"));
        assertEquals(RefusedException.AGENT_NOT_LIVE, notLive.code());
        PulseResult pulse = client.pulse("agent:receiver", Duration.ofSeconds(30));
        assertTrue(pulse.revived());
        assertEquals(30_000, pulse.ttlMs());
        Claim handed = client.handOff(q, b, next.get(0).token(), "agent:receiver", "yours");
        assertEquals("agent:receiver", handed.task().owner());
        assertTrue(handed.token() > next.get(0).token());
        assertTrue(client.pulse("agent:receiver", null).holds(q, b, handed.token()));
        assertEquals(TaskStatus.COMPLETED,
                client.complete(q, b, handed.token(), "done").status());

        // A handle keeps its claim, reports, completes; another is released on close.
        try (ClaimHandle handle = client.claim(q, a, "agent:handle")) {
            handle.progress("working", 10);
            assertEquals(TaskStatus.COMPLETED, handle.complete("ok").status());
            assertEquals("ok", client.task(q, a).result());
        }
        try (ClaimHandle handle = client.claim(q, c, "agent:handle")) {
            assertEquals(TaskStatus.IN_PROGRESS, handle.task().status());
        }
        assertEquals(TaskStatus.PENDING, client.task(q, c).status());
        List<ClaimHandle> handles = client.claimNext(q, ClaimNext.as("agent:handle"));
        assertEquals(1, handles.size());
        assertEquals(c, handles.get(0).id());
        handles.get(0).fail("no luck", false, null);
        assertEquals(TaskStatus.FAILED, client.task(q, c).status());
        assertEquals("no luck", client.task(q, c).failure());
    }

    @Test
    void aHandleWhoseTaskIsDeletedIsSeenLostAndItsCompleteIsRefused() {
        String q = "lost";
        long id = client.createTask(q, NewTask.of("doomed")).id();
        ClaimHandle handle = client.claim(q, id, "agent:loser");

        // Deleting the task ends the claim; the handle's next pulse (every 5 s / 3) shows it.
        client.deleteTask(q, id);
        await().atMost(Duration.ofSeconds(10)).until(handle::isLost);

        RefusedException refused = assertThrows(RefusedException.class,
                () -> handle.complete("too late"));
        assertEquals(RefusedException.STALE_TOKEN, refused.code());
        handle.close();
    }

    @Test
    void agentsArePulsedListedAndLeft() {
        String q = "agents";
        long id = client.createTask(q, NewTask.of("held")).id();
        client.pulse("agent:lister", Duration.ofSeconds(20));
        long token = client.claimTask(q, id, "agent:lister").token();

        AgentSession session = client.agents().stream()
                .filter(s -> s.agent().equals("agent:lister")).findFirst().orElseThrow();
        assertEquals(20_000, session.ttlMs());
        assertTrue(session.expiresAt().isAfter(Instant.now()));
        assertEquals(1, session.claims().size());
        assertEquals(token, session.claims().get(0).token());

        AgentSession left = client.leave("agent:lister");
        assertEquals("agent:lister", left.agent());
        assertEquals(TaskStatus.PENDING, client.task(q, id).status());
        assertThrows(NotFoundException.class, () -> client.leave("agent:lister"));

        // An agent name with a slash is one path segment.
        assertEquals("team/agent-1", client.pulse("team/agent-1", null).agent());
        client.leave("team/agent-1");
    }

    @Test
    void eventsArriveInLogOrderAsTheyHappen() {
        String q = "watched";
        try (EventStream events = client.events(q, null)) {
            long id = client.createTask(q, NewTask.of("watch me")).id();
            long token = client.claimTask(q, id, "agent:watched").token();
            client.complete(q, id, token, "seen");

            TaskEvent created = events.next();
            TaskEvent claimed = events.next();
            TaskEvent completed = events.next();
            assertEquals(List.of(TaskEvent.CREATED, TaskEvent.CLAIMED, TaskEvent.COMPLETED),
                    List.of(created.type(), claimed.type(), completed.type()));
            assertEquals(q, created.queue());
            assertEquals(id, created.id());
            assertEquals(token, claimed.token());
            assertTrue(created.index() < claimed.index() && claimed.index() < completed.index());
            assertEquals(completed.index(), events.lastIndex());
        }
    }

    @Test
    void theClusterAndEachNodesHealthCanBeRead() {
        // A node's line comes from the node itself, so on a slow machine one may show as
        // unreachable: only what the answering node knows on its own is checked exactly.
        ClusterInfo info = client.cluster();
        assertNotNull(info.leader());
        assertTrue(info.term() >= 1);
        assertEquals(List.of("n1", "n2", "n3"),
                info.nodes().stream().map(ClusterInfo.Node::id).sorted().toList());
        assertTrue(info.nodes().stream().allMatch(n -> n.httpAddress() != null));
        for (int i = 0; i < cluster.size(); i++) {
            assertTrue(client.isLive(cluster.address(i)));
            int node = i;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.isReady(cluster.address(node)));
        }
        assertFalse(client.isLive("127.0.0.1:" + TestCluster.freePort()));
        assertEquals(3, client.send("GET", "/v1/cluster", null).path("nodes").size());
    }
}
