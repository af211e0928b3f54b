/**
 * The deterministic task machine: {@link dev.baton.core.TaskMachine} applies log entries
 * (a leader time stamp, an optional idempotency key and a {@link dev.baton.core.Command}) to a
 * {@link dev.baton.core.state.KeyValueStore} and returns an {@link dev.baton.core.Outcome}.
 * Nothing here reads a clock, draws a random number or touches a file: replicas that apply the
 * same entries hold the same bytes.
 */
package dev.baton.core;
