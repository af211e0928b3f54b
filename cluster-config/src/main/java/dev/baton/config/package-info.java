/**
 * The per-node YAML configuration of a Baton cluster: the Raft group this node belongs to, its
 * peers, where it keeps its data, and the tunables. {@link dev.baton.config.ClusterConfigParser}
 * validates a file by hand so that it can report every problem at once, each with its field path.
 */
package dev.baton.config;
