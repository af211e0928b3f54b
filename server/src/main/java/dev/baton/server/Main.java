package dev.baton.server;

import dev.baton.client.cli.Cli;
import dev.baton.client.cli.Environment;
import dev.baton.config.ClusterConfig;
import dev.baton.config.ClusterConfigParser;
import dev.baton.config.ClusterConfigWriter;
import dev.baton.config.ConfigException;
import dev.baton.config.HostPort;
import dev.baton.config.NodeConfig;
import dev.baton.config.Tuning;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code baton} launcher: {@code dev}, {@code server}, {@code cluster init} and
 * {@code help} of ../shared/CLI.md run here; every other command (tasks, claims, agents,
 * events, {@code run}, the other {@code cluster} commands) goes to the command line,
 * {@link Cli}. Exit codes here: 0 success, 1 a failure, 2 a usage error.
 */
public final class Main {
    private Main() {
    }

    /**
     * gRPC (inside Ratis) logs through java.util.logging; its INFO lines stay off the console.
     * Held in a field because java.util.logging keeps loggers weakly and would forget the level.
     */
    private static final java.util.logging.Logger GRPC_LOG =
            java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty");

    private static final String COMMON_POOL_PARALLELISM =
            "java.util.concurrent.ForkJoinPool.common.parallelism";

    static final String USAGE = String.join("\n",
            "usage: baton <command> [options]",
            "  dev [--nodes 3] [--data DIR] [--http-port 7070]   a loopback cluster in one process",
            "  server --config FILE                              run one node of a cluster",
            "  cluster init --nodes N --out DIR [--http-port 7070] [--raft-port 9070] [--data DIR]",
            "                                                    write a loopback cluster's configs");

    public static void main(String[] args) {
        // On a 2-core machine the JDK sizes the common pool at 1, and then every *Async step of
        // a CompletableFuture without an executor (Ratis has several on its write and read
        // paths) starts a new thread: about 280 us a hop here, against 32 us with 2
        // (docs/PERFORMANCE.md). Must run before anything touches CompletableFuture.
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM, String.valueOf(
                    Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
        GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
        if (!isLauncherCommand(args)) {
            // The CLI's own streams write UTF-8 whatever the locale (its lines use ✓ and ·).
            System.exit(Cli.run(args, Environment.system()));
        }
        int code;
        try {
            code = run(args, System.out, System.err);
        } catch (UsageException e) {
            System.err.println("baton: " + e.getMessage());
            System.err.println(args.length == 0 ? Cli.usage() : USAGE);
            code = 2;
        }
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Whether Main runs this command itself: {@code dev}, {@code server}, {@code cluster init},
     * and {@code help} without a topic (or no command at all).
     */
    static boolean isLauncherCommand(String[] args) {
        if (args.length == 0) {
            return true;
        }
        switch (args[0]) {
            case "dev":
            case "server":
                return true;
            case "help":
            case "--help":
            case "-h":
                return args.length == 1;
            case "cluster":
                return args.length > 1 && args[1].equals("init");
            default:
                return false;
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            throw new UsageException("no command given");
        }
        if (!isLauncherCommand(args)) {
            Environment system = Environment.system();
            return Cli.run(args, new Environment(system.stdin(), out, err, system.variables(),
                    system.home(), system.userName(), system.hostName(), system.clock(),
                    system.signals()));
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "dev":
                return dev(Options.parse(rest, "--nodes", "--data", "--http-port"), out, err);
            case "server":
                return server(Options.parse(rest, "--config"), out, err);
            case "cluster":
                return clusterInit(Options.parse(Arrays.copyOfRange(rest, 1, rest.length),
                        "--nodes", "--out", "--http-port", "--raft-port", "--data"), out);
            case "help":
            case "--help":
            case "-h":
                out.println(Cli.usage());
                return 0;
            default:
                throw new UsageException("unknown command \"" + args[0] + "\"");
        }
    }

    // ----- baton server -----

    private static int server(Options options, PrintStream out, PrintStream err) {
        Path file = Path.of(options.required("--config"));
        ClusterConfig config;
        try {
            config = ClusterConfigParser.parse(file);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        List<BatonNode> nodes = new ArrayList<>();
        try {
            nodes.add(BatonNode.start(config));
        } catch (IOException | InterruptedException | RuntimeException e) {
            err.println("baton: node " + config.nodeId() + " could not start: " + e);
            return 1;
        }
        out.println("node " + config.nodeId() + " serving http://" + config.self().http()
                + " (raft " + config.self().raft() + ", data " + config.dataDir() + ")");
        return serveUntilStopped(nodes);
    }

    // ----- baton dev -----

    private static int dev(Options options, PrintStream out, PrintStream err) {
        int count = options.intValue("--nodes", 3, 1, 9);
        int httpPort = options.intValue("--http-port", 7070, 1, 65535 - 2 * count - 2000);
        Path data = Path.of(options.value("--data", "data/dev")).toAbsolutePath().normalize();
        // Stable across restarts, so that ./data/dev is reopened rather than reformatted.
        UUID groupId = UUID.nameUUIDFromBytes(("baton-dev:" + count).getBytes());
        List<ClusterConfig> configs = loopback(groupId, count, httpPort, httpPort + 2000, data);
        List<BatonNode> nodes = new ArrayList<>();
        try {
            for (ClusterConfig config : configs) {
                nodes.add(BatonNode.start(config));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            err.println("baton: the dev cluster could not start: " + e);
            closeAll(nodes);
            return 1;
        }
        out.println("Baton dev cluster: " + count + " nodes on loopback, data in " + data);
        for (ClusterConfig c : configs) {
            out.println("  " + c.nodeId() + "  http://" + c.self().http() + "   (raft "
                    + c.self().raft() + ")");
        }
        String first = "http://" + configs.get(0).self().http();
        out.println();
        out.println("Try:");
        out.println("  curl -s -X POST " + first + "/v1/queues/default/tasks "
                + "-d '{\"subject\": \"Hello, Baton\"}'");
        out.println("  curl -s " + first + "/v1/queues/default/tasks");
        out.println("Ctrl-C stops the cluster; the tasks stay in " + data + ".");
        return serveUntilStopped(nodes);
    }

    /** A loopback cluster: node i serves HTTP on httpPort+i-1 and Raft on raftPort+i-1. */
    static List<ClusterConfig> loopback(UUID groupId, int count, int httpPort, int raftPort,
                                        Path data) {
        List<NodeConfig> members = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            members.add(new NodeConfig("n" + i, new HostPort("127.0.0.1", raftPort + i - 1),
                    new HostPort("127.0.0.1", httpPort + i - 1)));
        }
        List<ClusterConfig> configs = new ArrayList<>();
        for (NodeConfig member : members) {
            configs.add(new ClusterConfig(groupId, member.id(), data.resolve(member.id()),
                    members, Tuning.defaults()));
        }
        return configs;
    }

    /** Blocks until SIGTERM or Ctrl-C, then closes every node cleanly. */
    private static int serveUntilStopped(List<BatonNode> nodes) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(nodes);
            stopped.countDown();
        }, "baton-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void closeAll(List<BatonNode> nodes) {
        for (BatonNode node : nodes) {
            try {
                node.close();
            } catch (IOException | RuntimeException e) {
                System.err.println("baton: node " + node.config().nodeId()
                        + " did not close cleanly: " + e);
            }
        }
    }

    // ----- baton cluster init -----

    private static int clusterInit(Options options, PrintStream out) {
        int count = options.intValue("--nodes", -1, 1, 9);
        Path dir = Path.of(options.required("--out")).toAbsolutePath().normalize();
        int httpPort = options.intValue("--http-port", 7070, 1, 65535);
        int raftPort = options.intValue("--raft-port", 9070, 1, 65535);
        Path data = Path.of(options.value("--data", dir.resolve("data").toString()))
                .toAbsolutePath().normalize();
        List<ClusterConfig> configs = loopback(UUID.randomUUID(), count, httpPort, raftPort,
                data);
        try {
            Files.createDirectories(dir);
            for (ClusterConfig c : configs) {
                Path file = dir.resolve(c.nodeId() + ".yaml");
                Files.writeString(file, ClusterConfigWriter.toYaml(c));
                out.println("wrote " + file + "   (http " + c.self().http() + ", raft "
                        + c.self().raft() + ", data " + c.dataDir() + ")");
            }
        } catch (IOException e) {
            throw new UsageException("cannot write to " + dir + ": " + e.getMessage());
        }
        out.println("start each node with: bin/baton server --config " + dir.resolve("n1.yaml"));
        return 0;
    }

    // ----- options -----

    /** A usage mistake: the message is printed with the usage, and the exit code is 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --name value} options, refusing names the command does not take. */
    record Options(Map<String, String> values) {
        static Options parse(String[] args, String... known) {
            Map<String, String> values = new LinkedHashMap<>();
            List<String> names = Arrays.asList(known);
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                String value;
                int eq = name.indexOf('=');
                if (name.startsWith("--") && eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new UsageException(names.contains(name) ? name + " needs a value"
                            : "unexpected argument \"" + name + "\"");
                }
                if (!names.contains(name)) {
                    throw new UsageException("unknown option \"" + name + "\"");
                }
                values.put(name, value);
            }
            return new Options(values);
        }

        String value(String name, String otherwise) {
            return values.getOrDefault(name, otherwise);
        }

        String required(String name) {
            String v = values.get(name);
            if (v == null) {
                throw new UsageException(name + " is required");
            }
            return v;
        }

        int intValue(String name, int otherwise, int min, int max) {
            String v = values.get(name);
            if (v == null) {
                if (otherwise < min) {
                    throw new UsageException(name + " is required");
                }
                return otherwise;
            }
            try {
                int n = Integer.parseInt(v);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // Answered below.
            }
            throw new UsageException(name + " must be a number from " + min + " to " + max
                    + ", got \"" + v + "\"");
        }
    }
}
