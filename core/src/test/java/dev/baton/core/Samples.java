package dev.baton.core;

import dev.baton.core.model.EventType;
import dev.baton.core.model.Progress;
import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskRef;
import dev.baton.core.model.TaskStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Fully populated values of every kind the core encodes, for the codec and dispatch tests. */
final class Samples {
    private Samples() {
    }

    static Task task() {
        Task.Builder b = new Task.Builder();
        b.queue = "infra.build";
        b.id = 41;
        b.subject = "Triage flaky deploy ✓";
        b.description = "line one\nline two";
        b.activeForm = "Triaging flaky deploy";
        b.status = TaskStatus.IN_PROGRESS;
        b.owner = "agent:run_7a1";
        b.token = 9_000_000_001L;
        b.priority = -3;
        b.blockedBy = List.of(3L, 1L);
        b.blocks = List.of(43L);
        b.resources = List.of("src/api/**", "docs/*.md");
        b.requires = List.of("python", "gpu");
        b.labels = new TreeMap<>(Map.of("team", "infra", "area", "ci"));
        b.key = "deploy-2026-11-22";
        b.attempts = 2;
        b.maxAttempts = 7;
        b.stallMs = 60_000L;
        b.notBeforeMs = 1_700_000_000_000L;
        b.progress = new Progress("half way", 50, 1_700_000_000_500L);
        b.result = "ok";
        b.failure = "timed out once";
        b.createdAtMs = 1_699_999_999_000L;
        b.updatedAtMs = 1_700_000_000_600L;
        b.claimedAtMs = 1_700_000_000_100L;
        b.completedAtMs = 1_700_000_000_700L;
        b.lastActivityMs = 1_700_000_000_400L;
        b.eventCount = 12;
        return b.build();
    }

    static TaskEvent event() {
        return new TaskEvent(77, 1_700_000_000_000L, EventType.HANDED_OFF, "agent:b", 12L,
                "agent_left", List.of("subject", "priority"));
    }

    static QueueSummary queue() {
        return new QueueSummary("infra.build", 44, 5, 3, 2, 30, 1, 4);
    }

    static Command.CreateTask create() {
        return new Command.CreateTask("q", "Build", "all of it", "Building", 2, List.of(1L, 2L),
                List.of("src/**"), List.of("java"), new TreeMap<>(Map.of("team", "infra")),
                "build-1", 3, 5_000L, null, 250L);
    }

    static Command.UpdateTask update() {
        return new Command.UpdateTask("q", 1, "Build everything", "more", "Building all", 4,
                new TreeMap<>(Map.of("team", "web")), List.of("lib/**"), 9, 1_000L, false,
                List.of(2L), List.of(3L));
    }

    static Session session() {
        return new Session("agent:run_7a1", 30_000, 1_700_000_030_000L, 4,
                List.of(new Session.Claim("q", 1, 17), new Session.Claim("r", 2, 18)));
    }

    /** One of each command type, keyed by its class. */
    static Map<Class<?>, Command> commands() {
        Map<Class<?>, Command> m = new java.util.HashMap<>();
        for (Command c : List.of(create(), update(), new Command.DeleteTask("q", 1),
                new Command.Tick(), new Command.ClaimTask("q", 1, "agent:a", 30_000),
                new Command.ClaimNext("q", "agent:a", 3, List.of("java", "gpu"),
                        new TreeMap<>(Map.of("team", "infra")), 30_000),
                new Command.ReportProgress("q", 1, 17, "half", 50),
                new Command.CompleteTask("q", 1, 17, "done"),
                new Command.FailTask("q", 1, 17, "flaky", true, 5_000L),
                new Command.ReleaseTask("q", 1, 17),
                new Command.HandOff("q", 1, 17, "agent:b", "yours"),
                new Command.Pulse("agent:a", 30_000), new Command.LeaveAgent("agent:a"),
                new Command.ExpireSessions(List.of(new Command.SessionDue("agent:a", 3))),
                new Command.StallTasks(List.of(new Command.TaskDue("q", 1, 17))),
                new Command.SetMember("n4", "127.0.0.1:9073", "127.0.0.1:7073"),
                new Command.RemoveMember("n4"))) {
            m.put(c.getClass(), c);
        }
        return m;
    }

    /** One of each outcome type, keyed by its class. */
    static Map<Class<?>, Outcome> outcomes() {
        Map<String, Object> details = Map.of("owner", "agent:a", "token", 7L,
                "blockedBy", List.of(1L, 2L), "conflicts", List.of("src/**", "docs/*"),
                "nested", List.of(List.of(1L), "x"));
        Outcome.Claimed claimed = new Outcome.Claimed(task(), 17, true);
        Map<Class<?>, Outcome> m = new java.util.HashMap<>();
        for (Outcome o : List.of(new Outcome.TaskCreated(task()), new Outcome.TaskFound(task()),
                new Outcome.TaskUpdated(task()), new Outcome.TaskDeleted(task()),
                new Outcome.Ticked(), claimed,
                new Outcome.ClaimedMany(List.of(claimed, new Outcome.Claimed(task(), 18, false))),
                new Outcome.Pulsed(session(), true), new Outcome.AgentLeft(session()),
                new Outcome.SessionsExpired(List.of("agent:a", "agent:b")),
                new Outcome.TasksStalled(List.of(new TaskRef("q", 1), new TaskRef("r", 2))),
                new Outcome.MembersChanged(List.of(
                        new Outcome.Member("n1", "127.0.0.1:9070", "127.0.0.1:7070"))),
                new Outcome.Rejected(Rejection.ALREADY_CLAIMED, "task q#1 is held by agent:a",
                        details))) {
            m.put(o.getClass(), o);
        }
        return m;
    }
}
