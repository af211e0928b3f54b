package dev.baton.client;

import java.util.List;

/**
 * The cluster as the answering node sees it.
 *
 * @param leader the leader's node id, or null when it knows none
 */
public record ClusterInfo(String leader, long term, List<Node> nodes) {
    public ClusterInfo {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    /**
     * One member. {@code role} is {@code leader}, {@code follower}, {@code candidate}, or
     * {@code unreachable} when the answering node could not ask it; its indexes are then null
     * or the leader's knowledge.
     */
    public record Node(String id, String raftAddress, String httpAddress, String role,
                       Long commitIndex, Long appliedIndex, Long term) {
    }
}
