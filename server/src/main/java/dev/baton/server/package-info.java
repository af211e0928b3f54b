/**
 * A Baton node ({@link dev.baton.server.BatonNode}: Raft member, leader ticker, HTTP API) and
 * the launcher commands that start one ({@code server}), a whole loopback cluster ({@code dev})
 * or write a cluster's configuration ({@code cluster init}).
 */
package dev.baton.server;
