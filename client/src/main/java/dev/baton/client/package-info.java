/**
 * The Java client of Baton: {@link dev.baton.client.BatonClient} for every call of the HTTP API
 * with failover and safe retries, {@link dev.baton.client.ClaimHandle} to hold a claim while work
 * runs, and {@link dev.baton.client.Worker} for the claim, run, complete loop. It needs Jackson
 * and the JDK only, so that agents can embed it.
 */
package dev.baton.client;
