/**
 * The {@code baton} command line of ../shared/CLI.md for agents and operators: tasks, claims,
 * agents, events, the {@code run} worker and the cluster commands, through
 * {@link dev.baton.client.BatonClient}. {@link dev.baton.client.cli.Cli#run} takes an
 * {@link dev.baton.client.cli.Environment}, so that tests drive every command without the
 * real process; the server's {@code Main} hands it every command it does not run itself.
 */
package dev.baton.client.cli;
