package dev.baton.client.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one command takes: its options with a value, those that may repeat, its flags, how many
 * positional arguments, and its usage line. Every command also takes the global options
 * ({@link #GLOBAL_VALUES}, {@link #GLOBAL_FLAGS}), before or after its name.
 *
 * @param name the command as typed: {@code create}, or {@code cluster status}
 * @param passThrough whether the words after {@code --} are a command to run ({@code run})
 */
record Spec(String name, String usage, Set<String> values, Set<String> repeatable,
            Set<String> flags, int minArgs, int maxArgs, boolean passThrough) {

    /** Options every command takes, with a value. */
    static final Set<String> GLOBAL_VALUES = Set.of("--server", "--agent", "--queue", "--token",
            "--timeout");
    /** Flags every command takes. */
    static final Set<String> GLOBAL_FLAGS = Set.of("--json", "--help");
    /** Short forms. */
    static final Map<String, String> SHORT = Map.of("-q", "--queue", "-h", "--help");

    static final String GLOBAL_USAGE =
            "[--server HOST:PORT,...] [--agent NAME] [-q|--queue NAME] [--token T]"
            + " [--timeout 10s] [--json]";

    /** Every command of the CLI, in the order of the help. */
    static final Map<String, Spec> ALL = registry(
            spec("create", "create SUBJECT [--description D] [--active-form F] [--priority N]"
                    + " [--blocked-by 1,2] [--resource GLOB]... [--label K=V]..."
                    + " [--requires CAP]... [--key KEY] [--max-attempts N] [--stall 10m]"
                    + " [--delay 30s]", 1, 1)
                    .values("--description", "--active-form", "--priority", "--key",
                            "--max-attempts", "--stall", "--delay")
                    .repeatable("--blocked-by", "--resource", "--label", "--requires"),
            spec("list", "list [--status S,...] [--ready] [--owner A] [--label K=V]... [--all]",
                    0, 0)
                    .values("--status", "--owner").repeatable("--label")
                    .flags("--ready", "--all"),
            spec("show", "show ID", 1, 1),
            spec("claim", "claim ID [--ttl 30s] | claim --next [--wait 30s] [--count N]"
                    + " [--label K=V]... [--capability C]... [--ttl 30s]", 0, 1)
                    .values("--wait", "--count", "--ttl").repeatable("--label", "--capability")
                    .flags("--next"),
            spec("complete", "complete ID [--result TEXT|-] [--claim-token N]", 1, 1)
                    .values("--result", "--claim-token"),
            spec("fail", "fail ID --reason R [--no-retry] [--retry-delay 10s]"
                    + " [--claim-token N]", 1, 1)
                    .values("--reason", "--retry-delay", "--claim-token").flags("--no-retry"),
            spec("release", "release ID [--claim-token N]", 1, 1).values("--claim-token"),
            spec("handoff", "handoff ID --to AGENT [--note N] [--claim-token N]", 1, 1)
                    .values("--to", "--note", "--claim-token"),
            spec("update", "update ID [--subject S] [--priority N] [--add-blocked-by 1,2]"
                    + " [--remove-blocked-by 3] [--description D] [--active-form F]"
                    + " [--label K=V]... [--resource GLOB]... [--max-attempts N]", 1, 1)
                    .values("--subject", "--priority", "--description", "--active-form",
                            "--max-attempts")
                    .repeatable("--add-blocked-by", "--remove-blocked-by", "--label",
                            "--resource"),
            spec("delete", "delete ID", 1, 1),
            spec("pulse", "pulse [--ttl 30s] [--every 10s]",
                    0, 0)
                    .values("--ttl", "--every"),
            spec("agents", "agents", 0, 0),
            spec("queues", "queues", 0, 0),
            spec("watch", "watch [--from INDEX] [--count N] [--all-queues]", 0, 0)
                    .values("--from", "--count").flags("--all-queues"),
            spec("run", "run [--count N] [--wait 30s] [--ttl 30s] [--grace 10s] [--label K=V]..."
                    + " [--capability C]... -- COMMAND [ARGS...]", 0, 0)
                    .values("--count", "--wait", "--ttl", "--grace")
                    .repeatable("--label", "--capability").passThrough(),
            spec("cluster status", "cluster status",
                    0, 0),
            spec("cluster add", "cluster add ID RAFT_ADDR HTTP_ADDR", 3, 3),
            spec("cluster remove", "cluster remove ID", 1, 1),
            spec("cluster leader", "cluster leader ID", 1, 1),
            spec("cluster snapshot", "cluster snapshot", 0, 0));

    /** The subcommands of {@code cluster} that this CLI runs ({@code init} is the launcher's). */
    static final List<String> CLUSTER_SUBCOMMANDS = List.of("status", "add", "remove", "leader",
            "snapshot");

    boolean takesValue(String option) {
        return values.contains(option) || repeatable.contains(option)
                || GLOBAL_VALUES.contains(option);
    }

    boolean takesFlag(String option) {
        return flags.contains(option) || GLOBAL_FLAGS.contains(option);
    }

    private static Builder spec(String name, String usage, int minArgs, int maxArgs) {
        return new Builder(name, usage, minArgs, maxArgs);
    }

    private static Map<String, Spec> registry(Builder... builders) {
        Map<String, Spec> all = new LinkedHashMap<>();
        for (Builder b : builders) {
            all.put(b.name, new Spec(b.name, b.usage, b.values, b.repeatable, b.flags, b.minArgs,
                    b.maxArgs, b.passThrough));
        }
        return java.util.Collections.unmodifiableMap(all);
    }

    private static final class Builder {
        final String name;
        final String usage;
        final int minArgs;
        final int maxArgs;
        Set<String> values = Set.of();
        Set<String> repeatable = Set.of();
        Set<String> flags = Set.of();
        boolean passThrough;

        Builder(String name, String usage, int minArgs, int maxArgs) {
            this.name = name;
            this.usage = usage;
            this.minArgs = minArgs;
            this.maxArgs = maxArgs;
        }

        Builder values(String... names) {
            values = Set.of(names);
            return this;
        }

        Builder repeatable(String... names) {
            repeatable = Set.of(names);
            return this;
        }

        Builder flags(String... names) {
            flags = Set.of(names);
            return this;
        }

        Builder passThrough() {
            passThrough = true;
            return this;
        }
    }
}
