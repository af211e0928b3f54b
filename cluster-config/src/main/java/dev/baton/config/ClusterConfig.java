package dev.baton.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The configuration of one node: the Raft group it belongs to, which member it is, where it keeps
 * its data, every member of the cluster, and the tunables.
 *
 * @param join true for a node being added to a running cluster: on its first start it waits,
 *             with an empty Raft group, for the cluster to add it (POST /v1/cluster/members),
 *             instead of forming a new group with {@code nodes}
 */
public record ClusterConfig(
        UUID groupId, String nodeId, Path dataDir, List<NodeConfig> nodes, Tuning tuning,
        boolean join) {

    /** A founding member's configuration ({@code join} false). */
    public ClusterConfig(UUID groupId, String nodeId, Path dataDir, List<NodeConfig> nodes,
                         Tuning tuning) {
        this(groupId, nodeId, dataDir, nodes, tuning, false);
    }

    public ClusterConfig {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(tuning, "tuning");
        nodes = List.copyOf(nodes);
        // Checking membership here means self() can never fail on a constructed config.
        if (nodes.stream().noneMatch(n -> n.id().equals(nodeId))) {
            throw new IllegalArgumentException("nodeId " + nodeId + " is not one of the nodes");
        }
    }

    /** The member this configuration is for. */
    public NodeConfig self() {
        return node(nodeId).orElseThrow();
    }

    /** The member with the given id, if there is one. */
    public Optional<NodeConfig> node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }
}
