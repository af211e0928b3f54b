package dev.baton.core;

import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskRef;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** What applying a command did. Outcomes are past participles; a refusal is {@link Rejected}. */
public sealed interface Outcome permits Outcome.TaskCreated, Outcome.TaskFound,
        Outcome.TaskUpdated, Outcome.TaskDeleted, Outcome.Ticked, Outcome.Rejected,
        Outcome.Claimed, Outcome.ClaimedMany, Outcome.Pulsed, Outcome.AgentLeft,
        Outcome.SessionsExpired, Outcome.TasksStalled, Outcome.MembersChanged {

    /** A new task. */
    record TaskCreated(Task task) implements Outcome {
    }

    /** A create whose {@code key} was already taken: the existing task, nothing created. */
    record TaskFound(Task task) implements Outcome {
    }

    record TaskUpdated(Task task) implements Outcome {
    }

    record TaskDeleted(Task task) implements Outcome {
    }

    record Ticked() implements Outcome {
    }

    /**
     * A granted claim (or a handoff): the task and the fencing token of the claim.
     *
     * @param reclaimed the agent already held it: same token, nothing changed
     */
    record Claimed(Task task, long token, boolean reclaimed) implements Outcome {
    }

    /** What a claim-next granted, best first; possibly nothing. */
    record ClaimedMany(List<Claimed> claims) implements Outcome {
        public ClaimedMany {
            claims = List.copyOf(claims);
        }
    }

    /** @param revived the agent had no live session before this pulse */
    record Pulsed(Session session, boolean revived) implements Outcome {
    }

    /** The session as it was when the agent left; its claims were released. */
    record AgentLeft(Session session) implements Outcome {
    }

    /** The agents whose sessions this expiry ended (those renewed since were left alone). */
    record SessionsExpired(List<String> agents) implements Outcome {
        public SessionsExpired {
            agents = List.copyOf(agents);
        }
    }

    /** The members the machine knows after a membership command. */
    record MembersChanged(List<Member> members) implements Outcome {
        public MembersChanged {
            members = List.copyOf(members);
        }
    }

    /** A cluster member's addresses. */
    record Member(String id, String raftAddress, String httpAddress) {
    }

    record TasksStalled(List<TaskRef> tasks) implements Outcome {
        public TasksStalled {
            tasks = List.copyOf(tasks);
        }
    }

    /**
     * A refusal with the contract's code, a sentence for humans, and details a client can act on
     * ({@code owner}, {@code status}, {@code blockedBy}, ...). Detail values are strings, longs,
     * or lists of either, so that they encode canonically.
     */
    record Rejected(Rejection code, String message, Map<String, Object> details)
            implements Outcome {
        public Rejected {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            details = java.util.Collections.unmodifiableMap(new TreeMap<>(details));
        }

        public static Rejected of(Rejection code, String message) {
            return new Rejected(code, message, Map.of());
        }

        public static Rejected invalid(String message) {
            return of(Rejection.INVALID_ARGUMENT, message);
        }
    }
}
