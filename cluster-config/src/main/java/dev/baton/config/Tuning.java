package dev.baton.config;

/**
 * The tunables of a node. Every node of a cluster should use the same values, because a leader
 * applies its own lease and election settings to state that the whole group shares. The ranges
 * are enforced by {@link ClusterConfigParser}, which can report them with their field paths.
 */
public record Tuning(
        long electionTimeoutMinMs,
        long electionTimeoutMaxMs,
        long snapshotThreshold,
        long leaseTtlMs,
        long leaseGraceMs,
        long idempotencyKeysMax,
        boolean fsync,
        long logSegmentBytes) {

    /** The values used for every key that a file leaves out. */
    public static Tuning defaults() {
        return new Tuning(250, 500, 100_000, 30_000, 5000, 1_000_000, true, 8L * 1024 * 1024);
    }
}
