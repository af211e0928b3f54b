package dev.baton.client;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A queue and how many of its tasks are in each state. */
public record QueueInfo(String name, Counts counts) {

    /** Task counts; {@code ready} counts the pending tasks that can be claimed now. */
    public record Counts(long pending, long ready, @JsonProperty("in_progress") long inProgress,
                         long completed, long failed) {
    }
}
