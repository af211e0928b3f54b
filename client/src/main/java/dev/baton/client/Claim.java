package dev.baton.client;

/** A granted claim: the task, now {@code in_progress}, and the claim's fencing token. */
public record Claim(Task task, long token) {
}
