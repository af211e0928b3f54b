package dev.baton.client;

import java.util.List;

/**
 * One page of a task listing, in id order.
 *
 * @param nextAfterId the {@code afterId} of the next page, or null when this is the last one
 */
public record TaskPage(List<Task> tasks, Long nextAfterId) {
    public TaskPage {
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
    }
}
