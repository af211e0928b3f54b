package dev.baton.core;

import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A write the log orders and every replica applies. Commands are imperatives; the machine
 * answers each with an {@link Outcome}. Compact constructors check shape only (nulls); whether
 * a command is allowed is decided by {@link Validation} and by the state it meets.
 *
 * <p>Commands carry no time: the leader's stamp travels beside them in the {@link Entry}.
 */
public sealed interface Command permits Command.CreateTask, Command.UpdateTask,
        Command.DeleteTask, Command.Tick, Command.ClaimTask, Command.ClaimNext,
        Command.ReportProgress, Command.CompleteTask, Command.FailTask, Command.ReleaseTask,
        Command.HandOff, Command.Pulse, Command.LeaveAgent, Command.ExpireSessions,
        Command.StallTasks, Command.SetMember, Command.RemoveMember {

    /** Creates a task in {@code queue}, creating the queue with its first task. */
    record CreateTask(String queue, String subject, String description, String activeForm,
                      int priority, List<Long> blockedBy, List<String> resources,
                      List<String> requires, SortedMap<String, String> labels, String key,
                      Integer maxAttempts, Long stallMs, Long notBeforeMs, Long delayMs)
            implements Command {
        public CreateTask {
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(subject, "subject");
            blockedBy = List.copyOf(blockedBy);
            resources = List.copyOf(resources);
            requires = List.copyOf(requires);
            labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        }
    }

    /**
     * Changes the fields that are non-null. {@code clearNotBefore} distinguishes "set notBefore to
     * null" from "leave it".
     */
    record UpdateTask(String queue, long id, String subject, String description,
                      String activeForm, Integer priority, SortedMap<String, String> labels,
                      List<String> resources, Integer maxAttempts, Long notBeforeMs,
                      boolean clearNotBefore, List<Long> addBlockedBy, List<Long> removeBlockedBy)
            implements Command {
        public UpdateTask {
            Objects.requireNonNull(queue, "queue");
            labels = labels == null ? null
                    : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
            resources = resources == null ? null : List.copyOf(resources);
            addBlockedBy = List.copyOf(addBlockedBy);
            removeBlockedBy = List.copyOf(removeBlockedBy);
        }
    }

    /** Deletes a task: it leaves every blockedBy, its key is freed, a claim on it ends. */
    record DeleteTask(String queue, long id) implements Command {
        public DeleteTask {
            Objects.requireNonNull(queue, "queue");
        }
    }

    /**
     * Lets leader time reach the machine when nothing else is written, so that deadlines
     * ({@code notBefore}, later lease expiry) take effect. The leader proposes it; it carries no
     * data of its own.
     */
    record Tick() implements Command {
    }

    // ----- claims -----

    /**
     * Claims one task for an agent.
     *
     * @param sessionTtlMs the lease a new session gets if the agent has none (the proposer's
     *                     configured default, written into the log so replicas agree)
     */
    record ClaimTask(String queue, long id, String agent, long sessionTtlMs) implements Command {
        public ClaimTask {
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(agent, "agent");
        }
    }

    /** Claims up to {@code count} of the best ready tasks the agent can take. */
    record ClaimNext(String queue, String agent, int count, List<String> capabilities,
                     SortedMap<String, String> labels, long sessionTtlMs) implements Command {
        public ClaimNext {
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(agent, "agent");
            capabilities = List.copyOf(capabilities);
            labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        }
    }

    /** The owner's progress report; renews its session and the task's stall clock. */
    record ReportProgress(String queue, long id, long token, String note, Integer percent)
            implements Command {
        public ReportProgress {
            Objects.requireNonNull(queue, "queue");
        }
    }

    record CompleteTask(String queue, long id, long token, String result) implements Command {
        public CompleteTask {
            Objects.requireNonNull(queue, "queue");
        }
    }

    /** A failed attempt: back to pending (after the delay) while attempts remain, else failed. */
    record FailTask(String queue, long id, long token, String reason, boolean retry,
                    Long retryDelayMs) implements Command {
        public FailTask {
            Objects.requireNonNull(queue, "queue");
        }
    }

    /** A voluntary release: pending again, and not counted as an attempt. */
    record ReleaseTask(String queue, long id, long token) implements Command {
        public ReleaseTask {
            Objects.requireNonNull(queue, "queue");
        }
    }

    /** Passes a held task to another live agent under a new token. */
    record HandOff(String queue, long id, long token, String to, String note)
            implements Command {
        public HandOff {
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(to, "to");
        }
    }

    // ----- agents -----

    /** Renews (or starts) an agent's session. */
    record Pulse(String agent, long ttlMs) implements Command {
        public Pulse {
            Objects.requireNonNull(agent, "agent");
        }
    }

    /** Ends an agent's session now, releasing what it holds. */
    record LeaveAgent(String agent) implements Command {
        public LeaveAgent {
            Objects.requireNonNull(agent, "agent");
        }
    }

    /**
     * Proposed by the leader when sessions' deadlines passed by its clock. Each names the renewal
     * count the leader saw: a session renewed since is left alone.
     */
    record ExpireSessions(List<SessionDue> sessions) implements Command {
        public ExpireSessions {
            sessions = List.copyOf(sessions);
        }
    }

    record SessionDue(String agent, long renewals) {
        public SessionDue {
            Objects.requireNonNull(agent, "agent");
        }
    }

    /**
     * Proposed by the leader when in-progress tasks with {@code stallMs} saw no activity for that
     * long. Each names the claim's token: a task claimed anew since is left alone.
     */
    record StallTasks(List<TaskDue> tasks) implements Command {
        public StallTasks {
            tasks = List.copyOf(tasks);
        }
    }

    record TaskDue(String queue, long id, long token) {
        public TaskDue {
            Objects.requireNonNull(queue, "queue");
        }
    }

    // ----- membership -----

    /**
     * Records a cluster member's addresses, so that every node can show and reach a member that
     * joined after it was configured. Proposed with the Raft configuration change itself.
     */
    record SetMember(String id, String raftAddress, String httpAddress) implements Command {
        public SetMember {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(raftAddress, "raftAddress");
            Objects.requireNonNull(httpAddress, "httpAddress");
        }
    }

    record RemoveMember(String id) implements Command {
        public RemoveMember {
            Objects.requireNonNull(id, "id");
        }
    }
}
