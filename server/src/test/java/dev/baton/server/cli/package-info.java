/**
 * The {@code baton} command line against real clusters on loopback: every command's output and
 * exit code, {@code --json}, refusals, an unreachable cluster, {@code run} draining a queue
 * with a shell command, and {@code watch}.
 */
package dev.baton.server.cli;
