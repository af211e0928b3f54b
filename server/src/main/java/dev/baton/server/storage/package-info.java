/**
 * Where the state machine's bytes reach disk: {@link dev.baton.server.storage.MapDbStore}, the
 * working store in MapDB, and {@link dev.baton.server.storage.SnapshotFile}, the durable snapshot
 * that Ratis keeps, ships to lagging followers and replays the log from.
 */
package dev.baton.server.storage;
