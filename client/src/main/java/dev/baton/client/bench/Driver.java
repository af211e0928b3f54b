package dev.baton.client.bench;

/**
 * How a bench's agents reach the cluster: {@link LoopAgents} (every agent a callback on one event
 * loop, the default) or {@link ClientAgents} (every agent a thread calling through the Java client
 * library). Both record into a {@link Bench.Run}: its latencies, claims and failures.
 */
interface Driver extends AutoCloseable {

    /** The run's writers create {@code n} tasks in its queue. */
    void create(Bench.Run run, int n) throws InterruptedException;

    /**
     * Creates {@code n} tasks (in dependency chains of four when {@code chained}), then the run's
     * agents claim-next and complete until all {@code n} are done.
     */
    void drain(Bench.Run run, int n, boolean chained) throws InterruptedException;

    /** One agent claims and completes {@code n} tasks (already created) one at a time. */
    void single(Bench.Run run, int n) throws InterruptedException;

    @Override
    void close();
}
