package dev.baton.client;

/**
 * The answer to a claim by id.
 *
 * @param reclaimed true when the agent already held the task: same token, nothing changed
 */
public record ClaimResult(Task task, long token, boolean reclaimed) {
}
