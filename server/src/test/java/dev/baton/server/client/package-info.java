/**
 * The Java client against real three-node clusters on loopback: failover when the node a client
 * talks to stops, and workers draining a queue while one of them is killed.
 */
package dev.baton.server.client;
