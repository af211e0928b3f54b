package dev.baton.client;

/**
 * The work a {@link Worker} does for one claimed task. Its return value becomes the task's
 * {@code result} on complete; an exception fails the attempt with the exception's message (the
 * task is retried while attempts remain).
 */
@FunctionalInterface
public interface TaskHandler {
    /**
     * Does the task's work. Runs on one of the worker's threads; it is interrupted when the
     * claim is found lost or when the worker's shutdown grace runs out, so blocking work should
     * let InterruptedException through.
     *
     * @return the result to complete the task with (may be null)
     */
    String handle(TaskContext context) throws Exception;
}
