package dev.baton.server;

import static org.awaitility.Awaitility.await;

import dev.baton.config.ClusterConfig;
import dev.baton.config.HostPort;
import dev.baton.config.NodeConfig;
import dev.baton.config.Tuning;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A real Ratis cluster on loopback, one {@link BatonNode} per member, all in this JVM; shared by
 * the server, client and CLI tests. Election
 * timeouts are short so that tests stay quick on two cores; everything else is production code.
 */
public final class TestCluster implements AutoCloseable {
    private final List<ClusterConfig> configs = new ArrayList<>();
    private final BatonNode[] nodes;

    TestCluster(Path dir, int size, long snapshotThreshold) {
        UUID groupId = UUID.randomUUID();
        List<NodeConfig> members = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            members.add(new NodeConfig("n" + i, new HostPort("127.0.0.1", freePort()),
                    new HostPort("127.0.0.1", freePort())));
        }
        Tuning tuning = new Tuning(400, 800, snapshotThreshold, 30_000, 5_000, 1_000_000, true,
                64 * 1024);
        for (NodeConfig m : members) {
            configs.add(new ClusterConfig(groupId, m.id(), dir.resolve(m.id()), members, tuning));
        }
        nodes = new BatonNode[size];
    }

    public static TestCluster started(Path dir, int size) {
        return started(dir, size, 100_000);
    }

    public static TestCluster started(Path dir, int size, long snapshotThreshold) {
        TestCluster cluster = new TestCluster(dir, size, snapshotThreshold);
        for (int i = 0; i < size; i++) {
            cluster.start(i);
        }
        cluster.awaitLeader();
        return cluster;
    }

    public void start(int i) {
        try {
            nodes[i] = BatonNode.start(configs.get(i));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void stop(int i) {
        try {
            nodes[i].close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        nodes[i] = null;
    }

    public ClusterConfig config(int i) {
        return configs.get(i);
    }

    public BatonNode node(int i) {
        return nodes[i];
    }

    public int size() {
        return nodes.length;
    }

    /** The base URL of node i's HTTP API. */
    public String url(int i) {
        return "http://" + configs.get(i).self().http();
    }

    /** Node i's HTTP address, as a client is given it: {@code 127.0.0.1:PORT}. */
    public String address(int i) {
        return configs.get(i).self().http().toString();
    }

    /** The HTTP addresses of all nodes, starting with node {@code first}. */
    public java.util.List<String> addressesFrom(int first) {
        java.util.List<String> addresses = new ArrayList<>();
        for (int k = 0; k < nodes.length; k++) {
            addresses.add(address((first + k) % nodes.length));
        }
        return addresses;
    }

    /** Every node's HTTP address, as BATON_SERVER takes them: {@code h:p,h:p,h:p}. */
    public String servers() {
        return String.join(",", addressesFrom(0));
    }

    /** The index of the node that currently leads, among the running ones. */
    public int awaitLeader() {
        int[] leader = {-1};
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] != null && nodes[i].raft().division().getInfo().isLeaderReady()) {
                    leader[0] = i;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    public long appliedIndex(int i) throws IOException {
        return nodes[i].raft().division().getInfo().getLastAppliedIndex();
    }

    @Override
    public void close() {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                stop(i);
            }
        }
    }

    /** Every port handed out in this JVM: see {@link #freePort()}. */
    private static final java.util.Set<Integer> HANDED_OUT =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free port never handed out before in this JVM. The tests' HTTP client keeps idle
     * connections for minutes; if a later cluster listened on a port of an earlier, closed one,
     * the client would reuse a dead connection, and a POST (which it does not retry) would fail.
     */
    public static int freePort() {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
