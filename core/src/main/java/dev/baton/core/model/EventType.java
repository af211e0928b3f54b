package dev.baton.core.model;

/** The kinds of history event a task records. Wire names are part of the API contract. */
public enum EventType {
    CREATED("created"),
    UPDATED("updated"),
    CLAIMED("claimed"),
    RELEASED("released"),
    EXPIRED("expired"),
    STALLED("stalled"),
    HANDED_OFF("handed_off"),
    COMPLETED("completed"),
    FAILED("failed"),
    DELETED("deleted");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
