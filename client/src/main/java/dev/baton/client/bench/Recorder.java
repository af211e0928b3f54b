package dev.baton.client.bench;

import java.util.Arrays;

/**
 * Latencies of one operation, in nanoseconds. Kept whole (a bench records at most a few million
 * samples) so percentiles are exact, not bucketed. Thread-safe by a plain lock: recording costs
 * nanoseconds next to a network round trip.
 */
final class Recorder {
    private long[] samples = new long[1024];
    private int size;
    private long errors;

    synchronized void record(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    /** How many operations were recorded so far (for the progress line). */
    synchronized int count() {
        return size;
    }

    synchronized void error() {
        errors++;
    }

    /** Percentiles in milliseconds, over the samples so far. */
    synchronized Summary summary(double seconds) {
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        return new Summary(size, errors, size / Math.max(seconds, 1e-9), pct(sorted, 0.50),
                pct(sorted, 0.90), pct(sorted, 0.99), pct(sorted, 0.999),
                size == 0 ? 0 : sorted[size - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** @param perSecond operations per second over the phase's wall time */
    record Summary(long count, long errors, double perSecond, double p50Ms, double p90Ms,
                   double p99Ms, double p999Ms, double maxMs) {
    }
}
