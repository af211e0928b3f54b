package dev.baton.client.cli;

import dev.baton.client.BatonException;
import dev.baton.client.RefusedException;
import dev.baton.client.UnavailableException;
import dev.baton.client.UnknownOutcomeException;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code baton} command line for agents and operators (../shared/CLI.md, docs/cli.md).
 * {@link #run} parses the arguments, resolves the servers, agent, queue and token, runs one
 * command through {@link dev.baton.client.BatonClient}, and answers the exit code:
 * <ul>
 * <li>0: done;</li>
 * <li>1: the cluster refused the request (or the CLI saw that it would), with one line on
 *     stderr saying what happened and what to do;</li>
 * <li>2: a usage error: an unknown command or option, a bad value, a malformed config file;</li>
 * <li>3: the cluster could not be reached: every server unreachable, or without a leader,
 *     until the deadline ({@code --timeout}); or a write's outcome stayed unknown;</li>
 * <li>130: a loop ({@code run}, {@code watch}, {@code pulse --every}) was stopped by a
 *     signal.</li>
 * </ul>
 * Errors are one line on stderr, never a stack trace ({@code BATON_DEBUG=1} adds one for an
 * unexpected error).
 */
public final class Cli {
    static final String USAGE = String.join("\n",
            "usage: baton <command> [options]",
            "",
            "Tasks",
            "  create SUBJECT [--priority N] [--blocked-by 1,2] [--label K=V]... [...]",
            "                                        add a task:  task #41 · status pending",
            "  list [--status S,...] [--ready] [--owner A] [--all]",
            "                                        pending and in-progress tasks, one a line",
            "  show ID                               a task and its history",
            "  update ID [--subject S] [--priority N] [--add-blocked-by 1,2] [...]",
            "  delete ID",
            "Claims",
            "  claim ID | claim --next [--wait 30s] [--count N] [--label K=V]...",
            "  complete ID [--result TEXT]           as the agent that owns it",
            "  fail ID --reason R [--no-retry] [--retry-delay 10s]",
            "  release ID",
            "  handoff ID --to AGENT",
            "  run [--count N] [--wait 30s] -- COMMAND [ARGS...]",
            "                                        a worker: claim, run COMMAND, complete",
            "Agents and events",
            "  pulse [--ttl 30s] [--every 10s]       keep the agent's session alive",
            "  agents                                live agent sessions",
            "  queues                                every queue with its counts",
            "  watch [--from INDEX]                  task events as they happen",
            "Cluster",
            "  cluster status | add ID RAFT_ADDR HTTP_ADDR | remove ID | leader ID | snapshot",
            "  cluster init --nodes N --out DIR [--http-port 7070] [--raft-port 9070] [--data DIR]",
            "  server --config FILE                  run one node of a cluster",
            "  dev [--nodes 3] [--data DIR] [--http-port 7070]   a loopback cluster in one process",
            "",
            "Options of every command (before or after it), first found wins:",
            "  --server HOST:PORT[,...]   BATON_SERVER, config server, 127.0.0.1:7070",
            "  --agent NAME               BATON_AGENT, config agent, USER@HOSTNAME",
            "  -q, --queue NAME           BATON_QUEUE, config queue, default",
            "  --token TOKEN              BATON_TOKEN, config token",
            "  --timeout 10s              how long to keep trying the servers",
            "  --json                     print the API's JSON instead of the human line",
            "Config file: $BATON_CONFIG, else ~/.config/baton/cli.yaml (server, agent, queue,"
                    + " token).",
            "Durations: 500ms, 30s, 2m, 1h, 1m30s; a bare number is seconds.",
            "Exit codes: 0 done, 1 refused, 2 usage error, 3 cluster unreachable, 130 stopped.",
            "baton help COMMAND shows a command's options; docs/cli.md has examples.");

    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, Environment.system()));
    }

    /** The usage of every command, as {@code baton help} prints it. */
    public static String usage() {
        return USAGE;
    }

    /**
     * Runs one command line.
     *
     * @return the exit code: 0, 1 refused, 2 usage error, 3 unreachable, 130 stopped
     */
    public static int run(String[] args, Environment env) {
        if (args.length > 0 && args[0].equals("bench")) {
            // The load generator parses its own options (docs/PERFORMANCE.md).
            return dev.baton.client.bench.Bench.run(
                    java.util.Arrays.copyOfRange(args, 1, args.length),
                    env.variables().get("BATON_SERVER"), env.stdout(), env.stderr());
        }
        Args parsed;
        try {
            parsed = Args.parse(args);
        } catch (UsageException e) {
            return usageError(env, e.getMessage(), null);
        } catch (Args.CommandUsageException e) {
            return usageError(env, e.getMessage(), e.spec());
        }
        if (parsed.wantsHelp()) {
            return help(env, parsed.helpTopic());
        }
        try (Context c = new Context(env, parsed)) {
            try {
                return dispatch(c);
            } catch (UsageException e) {
                if (!e.showUsage()) {
                    return fail(env, e.getMessage(), 2);
                }
                return usageError(env, e.getMessage(), parsed.spec());
            } catch (CommandFailed e) {
                return fail(env, e.getMessage(), 1);
            } catch (RefusedException e) {
                if (c.json()) {
                    // The API's answer, as --json promises: its error document, on stdout.
                    c.printJson(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                            .objectNode().set("error", e.details()));
                }
                return fail(env, refusal(c, e), 1);
            } catch (UnavailableException e) {
                return fail(env, unreachable(c, e), 3);
            } catch (UnknownOutcomeException e) {
                return fail(env, "no answer from the cluster at " + servers(c) + ", so whether"
                        + " it was applied is unknown; check with baton show or baton list"
                        + " before trying again", 3);
            } catch (BatonException e) {
                return fail(env, e.getMessage(), 1);
            } catch (RuntimeException e) {
                if (env.variable("BATON_DEBUG") != null) {
                    e.printStackTrace(env.stderr());
                }
                return fail(env, "unexpected error: " + e
                        + " (BATON_DEBUG=1 prints the stack trace)", 1);
            }
        }
    }

    private static int dispatch(Context c) {
        switch (c.args.spec().name()) {
            case "create": return TaskCommands.create(c);
            case "list": return TaskCommands.list(c);
            case "show": return TaskCommands.show(c);
            case "update": return TaskCommands.update(c);
            case "delete": return TaskCommands.delete(c);
            case "claim": return ClaimCommands.claim(c);
            case "complete": return ClaimCommands.complete(c);
            case "fail": return ClaimCommands.fail(c);
            case "release": return ClaimCommands.release(c);
            case "handoff": return ClaimCommands.handoff(c);
            case "pulse": return AgentCommands.pulse(c);
            case "agents": return AgentCommands.agents(c);
            case "queues": return AgentCommands.queues(c);
            case "watch": return AgentCommands.watch(c);
            case "run": return RunCommand.run(c);
            case "cluster status": return ClusterCommands.status(c);
            case "cluster add": return ClusterCommands.add(c);
            case "cluster remove": return ClusterCommands.remove(c);
            case "cluster leader": return ClusterCommands.leader(c);
            case "cluster snapshot": return ClusterCommands.snapshot(c);
            default: throw new AssertionError("no dispatch for " + c.args.spec().name());
        }
    }

    private static int help(Environment env, String topic) {
        if (topic == null) {
            env.stdout().println(USAGE);
            return 0;
        }
        Spec spec = Spec.ALL.get(topic);
        if (spec == null && topic.equals("cluster")) {
            env.stdout().println(Spec.ALL.values().stream()
                    .filter(s -> s.name().startsWith("cluster "))
                    .map(s -> "usage: baton " + s.usage()).collect(Collectors.joining("\n")));
            env.stdout().println("       baton cluster init --nodes N --out DIR"
                    + " [--http-port 7070] [--raft-port 9070] [--data DIR]");
            return 0;
        }
        if (spec == null) {
            return usageError(env, "no command \"" + topic + "\"", null);
        }
        env.stdout().println("usage: baton " + spec.usage());
        env.stdout().println("options of every command: " + Spec.GLOBAL_USAGE);
        return 0;
    }

    private static int usageError(Environment env, String message, Spec spec) {
        PrintStream err = env.stderr();
        err.println("baton: " + message);
        if (spec != null) {
            err.println("usage: baton " + spec.usage());
        } else {
            err.println("run 'baton help' for the commands");
        }
        return 2;
    }

    private static int fail(Environment env, String message, int code) {
        env.stderr().println("baton: " + message);
        return code;
    }

    /**
     * A refused request as one line: what happened, with the contract's code, and what to do.
     * The server's sentence says what happened; a few codes get a hint.
     */
    static String refusal(Context c, RefusedException e) {
        String what = e.details().path("message").asText(null);
        if (what == null || what.isBlank()) {
            what = e.getMessage();
        }
        String hint = switch (e.code()) {
            case RefusedException.STALE_TOKEN -> "; the claim ended (released, expired or"
                    + " handed off): claim the task again";
            case RefusedException.BLOCKED -> "; complete those first";
            case RefusedException.AGENT_NOT_LIVE -> "; that agent must pulse first"
                    + " (baton pulse --agent NAME)";
            case RefusedException.UNAUTHENTICATED, RefusedException.FORBIDDEN ->
                    "; give a token with --token or BATON_TOKEN";
            default -> "";
        };
        return what + " (" + e.code() + ")" + hint;
    }

    /** The cluster could not be reached: which servers were tried, and what to do. */
    static String unreachable(Context c, UnavailableException e) {
        String why = lastFailure(e.getMessage());
        String where = servers(c) + " (" + c.settings().serversFrom() + ")";
        if (why != null && why.startsWith("503")) {
            return "the cluster at " + where + " has no leader: " + why + "; wait for the"
                    + " election, and check that most nodes run (baton cluster status)";
        }
        return "cannot reach the cluster at " + where + (why == null ? "" : ": " + why)
                + "; start one with bin/baton dev, or point --server or BATON_SERVER at a"
                + " running node";
    }

    private static String servers(Context c) {
        List<String> servers = c.settings().servers();
        return String.join(", ", servers);
    }

    /**
     * The telling failure from the client's message, which ends in
     * {@code [host:port: connection refused; ...]}: the last node's, unless a node answered 503
     * (it runs, but there is no leader), which says more than a refused connection to another.
     */
    private static String lastFailure(String message) {
        if (message == null) {
            return null;
        }
        int open = message.lastIndexOf('[');
        int close = message.lastIndexOf(']');
        if (open < 0 || close < open) {
            return null;
        }
        String[] failures = message.substring(open + 1, close).split("; ");
        String last = null;
        for (String failure : failures) {
            int colon = failure.indexOf(": ");
            String why = colon < 0 ? failure : failure.substring(colon + 2).trim();
            if (last == null || !last.startsWith("503") || why.startsWith("503")) {
                last = why;
            }
        }
        return last;
    }
}
