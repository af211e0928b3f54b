/**
 * Where the state machine's bytes live: {@link dev.baton.server.storage.TieredStore}, the working
 * store (hot tables in the heap, history and idempotency records in
 * {@link dev.baton.server.storage.MapDbStore} on disk), and
 * {@link dev.baton.server.storage.SnapshotFile}, the durable snapshot that Ratis keeps, ships to
 * lagging followers and replays the log from.
 */
package dev.baton.server.storage;
