package dev.baton.client;

/** What a {@link TaskHandler} gets: the claimed task, its token, and a way to report progress. */
public final class TaskContext {
    private final ClaimHandle claim;

    TaskContext(ClaimHandle claim) {
        this.claim = claim;
    }

    /** The task as claimed ({@code in_progress}, owned by the worker's agent). */
    public Task task() {
        return claim.task();
    }

    public String queue() {
        return claim.queue();
    }

    public long id() {
        return claim.id();
    }

    /** The fencing token of the claim: pass it to anything outside Baton that must fence. */
    public long token() {
        return claim.token();
    }

    public String agent() {
        return claim.agent();
    }

    /**
     * Reports progress (either may be null) and renews the session.
     *
     * @throws ConflictException {@code stale_token} when the claim was lost
     */
    public void progress(String note, Integer percent) {
        claim.progress(note, percent);
    }

    /** Whether the claim was lost: the work is no longer this worker's to finish. */
    public boolean isLost() {
        return claim.isLost();
    }
}
