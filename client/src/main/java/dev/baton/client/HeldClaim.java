package dev.baton.client;

/** A claim an agent session holds, as pulses and the agent list report it. */
public record HeldClaim(String queue, long id, long token) {
}
