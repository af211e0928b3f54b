package dev.baton.core.model;

/** The life cycle of a task: {@code pending -> in_progress -> completed}, or failed, or deleted. */
public enum TaskStatus {
    PENDING("pending"),
    IN_PROGRESS("in_progress"),
    COMPLETED("completed"),
    FAILED("failed"),
    DELETED("deleted");

    private final String wireName;

    TaskStatus(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on the wire and in the API contract; never renamed. */
    public String wireName() {
        return wireName;
    }

    /** A finished task never changes status again (completed, failed or deleted). */
    public boolean isFinished() {
        return this == COMPLETED || this == FAILED || this == DELETED;
    }

    /** Parses a wire name; returns null when it names no status. */
    public static TaskStatus fromWire(String name) {
        for (TaskStatus s : values()) {
            if (s.wireName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
