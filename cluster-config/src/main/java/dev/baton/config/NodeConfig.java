package dev.baton.config;

import java.util.Objects;

/** One member of the cluster: its id and the addresses its peers and clients reach it at. */
public record NodeConfig(String id, HostPort raft, HostPort http) {

    public NodeConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(raft, "raft");
        Objects.requireNonNull(http, "http");
    }
}
