package dev.baton.client;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A task's status: {@code pending}, {@code in_progress}, then {@code completed} or another. */
public enum TaskStatus {
    @JsonProperty("pending") PENDING("pending"),
    @JsonProperty("in_progress") IN_PROGRESS("in_progress"),
    @JsonProperty("completed") COMPLETED("completed"),
    @JsonProperty("failed") FAILED("failed"),
    @JsonProperty("deleted") DELETED("deleted"),
    /** A status that a newer server sent and this client does not know yet. */
    @JsonEnumDefaultValue UNKNOWN("unknown");

    private final String wireName;

    TaskStatus(String wireName) {
        this.wireName = wireName;
    }

    /** The name the API uses, such as {@code in_progress}. */
    public String wireName() {
        return wireName;
    }
}
