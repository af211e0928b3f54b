/**
 * {@code baton bench}: a load generator against a running cluster, through the public client,
 * reporting throughput, latency percentiles per operation, errors, and whether every task was
 * claimed exactly once.
 */
package dev.baton.client.bench;
