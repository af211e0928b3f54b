package dev.baton.core;

import dev.baton.core.model.Task;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** What applying a command did. Outcomes are past participles; a refusal is {@link Rejected}. */
public sealed interface Outcome permits Outcome.TaskCreated, Outcome.TaskFound,
        Outcome.TaskUpdated, Outcome.TaskDeleted, Outcome.Ticked, Outcome.Rejected {

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
