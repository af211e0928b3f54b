/**
 * Ratis glue: {@link dev.baton.server.raft.TaskStateMachine} applies committed entries to the
 * core, {@link dev.baton.server.raft.RaftNode} runs one member and forwards writes to the leader,
 * and {@link dev.baton.server.raft.LeaderTicker} lets leader time reach the log.
 */
package dev.baton.server.raft;
