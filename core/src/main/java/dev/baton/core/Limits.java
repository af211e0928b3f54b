package dev.baton.core;

/**
 * Every bound the machine enforces, in one place, each with the reason for its size. The API
 * contract fixes the user-visible ones; the rest keep a single log entry's work bounded.
 */
public final class Limits {
    private Limits() {
    }

    /** Contract: subject is 1 to 500 characters, so that lists stay readable. */
    public static final int SUBJECT_CHARS_MAX = 500;
    /** activeForm is a subject in the present tense; the same bound. */
    public static final int ACTIVE_FORM_CHARS_MAX = 500;
    /** Contract: description, result and failure are at most 64 KiB (UTF-8 bytes). */
    public static final int TEXT_BYTES_MAX = 64 * 1024;
    /** Contract: at most 32 labels per task. */
    public static final int LABELS_MAX = 32;
    /** Label keys and values stay short: they are filters, not documents. */
    public static final int LABEL_KEY_CHARS_MAX = 64;
    public static final int LABEL_VALUE_CHARS_MAX = 256;
    /** Contract: at most 32 required capabilities per task. */
    public static final int REQUIRES_MAX = 32;
    public static final int CAPABILITY_CHARS_MAX = 64;
    /** Contract: at most 100 blockers per task; also bounds the cycle search per edge. */
    public static final int BLOCKERS_MAX = 100;
    /** Contract: at most 64 resource globs per task. */
    public static final int RESOURCES_MAX = 64;
    /** A glob is a path pattern; 512 characters covers any real repository path. */
    public static final int RESOURCE_CHARS_MAX = 512;
    /** Contract: a dedupe key is at most 256 characters. */
    public static final int KEY_CHARS_MAX = 256;
    /** Contract: maxAttempts is 1 to 1000, default 5. */
    public static final int MAX_ATTEMPTS_MIN = 1;
    public static final int MAX_ATTEMPTS_MAX = 1000;
    public static final int MAX_ATTEMPTS_DEFAULT = 5;
    /** stallMs: at least a second (shorter is noise), at most a week. */
    public static final long STALL_MS_MIN = 1_000;
    public static final long STALL_MS_MAX = 7L * 24 * 3600 * 1000;
    /** delayMs and retryDelayMs: at most a year; longer is almost surely a unit mistake. */
    public static final long DELAY_MS_MAX = 366L * 24 * 3600 * 1000;
    /** Contract: an Idempotency-Key is at most 128 characters and is kept 24 hours. */
    public static final int IDEMPOTENCY_KEY_CHARS_MAX = 128;
    public static final long IDEMPOTENCY_TTL_MS = 24L * 3600 * 1000;
    /** Contract default for the idempotency table's size; configurable per cluster. */
    public static final long IDEMPOTENCY_KEYS_MAX_DEFAULT = 1_000_000;
    /**
     * How many old idempotency keys one log entry may drop. Dropping is amortised over entries
     * so that no single apply does unbounded work; 8 per entry outruns any insertion rate.
     */
    public static final int IDEMPOTENCY_DROPS_PER_ENTRY_MAX = 8;
    /** History kept per task; the oldest events are dropped beyond it. */
    public static final int HISTORY_EVENTS_PER_TASK_MAX = 1_000;
    /** Contract: list pages default to 100 tasks and are at most 1000. */
    public static final int LIST_LIMIT_DEFAULT = 100;
    public static final int LIST_LIMIT_MAX = 1_000;
    /**
     * A filtered list reads at most this many tasks per page and then returns what it found with
     * a {@code nextAfterId}, so that a rare filter over a huge queue cannot stall a node.
     */
    public static final int LIST_SCAN_MAX = 10_000;

    /** Contract: a session's TTL is 1 s to 1 h, 30 s unless the agent asks otherwise. */
    public static final long SESSION_TTL_MS_MIN = 1_000;
    public static final long SESSION_TTL_MS_MAX = 3_600_000;
    public static final long SESSION_TTL_MS_DEFAULT = 30_000;
    /** Contract: a new leader waits 5 s by default before expiring anything. */
    public static final long LEASE_GRACE_MS_DEFAULT = 5_000;
    /** Contract: claim-next hands out 1 to 100 tasks per call. */
    public static final int CLAIM_COUNT_MAX = 100;
    /** Contract: a claim-next waits at most 5 minutes. */
    public static final long CLAIM_WAIT_MS_MAX = 300_000;
    /** An agent offers at most as many capabilities as a task may require. */
    public static final int CAPABILITIES_MAX = REQUIRES_MAX;
    /**
     * Claim-next reads at most this many ready tasks looking for ones the agent can take (its
     * capabilities, labels and the queue's resource conflicts decide), so that one entry's
     * apply stays bounded. Only a queue whose first 100,000 ready tasks all need something the
     * agent lacks can hide a claimable task from it.
     */
    public static final int CLAIM_SCAN_MAX = 100_000;
    /** How many tasks one agent may hold at once; a fleet agent holds a handful. */
    public static final int CLAIMS_PER_AGENT_MAX = 1_000;
    /** How many sessions or stalled tasks one leader-proposed entry may expire. */
    public static final int EXPIRE_BATCH_MAX = 100;
    /**
     * The events stream keeps the newest 100,000 events (every task's history in log order); a
     * reader asking for older ones gets 410 gone and starts again from a task listing.
     */
    public static final int EVENTS_KEPT_MAX = 100_000;
    /**
     * How many requests one log entry may carry: a node groups the requests that arrive while
     * its earlier entries replicate, up to this many (and about 1 MiB) per entry.
     */
    public static final int BATCH_MAX = 256;
    /** Progress percentages are 0 to 100. */
    public static final int PERCENT_MAX = 100;
}
