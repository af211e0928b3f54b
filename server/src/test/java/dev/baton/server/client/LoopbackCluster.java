package dev.baton.server.client;

import static org.awaitility.Awaitility.await;

import dev.baton.config.ClusterConfig;
import dev.baton.config.HostPort;
import dev.baton.config.NodeConfig;
import dev.baton.config.Tuning;
import dev.baton.server.BatonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A real Ratis cluster on loopback, one {@link BatonNode} per member, in this JVM: the approach
 * of {@code dev.baton.server.TestCluster} (which is package-private there), with the same short
 * election timeouts, for the client's tests. Ports are free ones, so a dev cluster on 7070-7072
 * does not matter.
 */
final class LoopbackCluster implements AutoCloseable {
    private final List<ClusterConfig> configs = new ArrayList<>();
    private final BatonNode[] nodes;

    private LoopbackCluster(Path dir, int size) {
        UUID groupId = UUID.randomUUID();
        List<NodeConfig> members = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            members.add(new NodeConfig("n" + i, new HostPort("127.0.0.1", freePort()),
                    new HostPort("127.0.0.1", freePort())));
        }
        Tuning tuning = new Tuning(400, 800, 100_000, 30_000, 5_000, 1_000_000, true,
                64 * 1024);
        for (NodeConfig m : members) {
            configs.add(new ClusterConfig(groupId, m.id(), dir.resolve(m.id()), members, tuning));
        }
        nodes = new BatonNode[size];
    }

    static LoopbackCluster started(Path dir, int size) {
        LoopbackCluster cluster = new LoopbackCluster(dir, size);
        for (int i = 0; i < size; i++) {
            cluster.start(i);
        }
        cluster.awaitLeader();
        return cluster;
    }

    void start(int i) {
        try {
            nodes[i] = BatonNode.start(configs.get(i));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops node i: its HTTP server first (dropping open connections), then its Raft member. */
    void stop(int i) {
        try {
            nodes[i].close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        nodes[i] = null;
    }

    int size() {
        return nodes.length;
    }

    /** Node i's HTTP address, as a client is given it: {@code 127.0.0.1:PORT}. */
    String address(int i) {
        return configs.get(i).self().http().toString();
    }

    /** The HTTP addresses of all nodes, starting with node {@code first}. */
    List<String> addressesFrom(int first) {
        List<String> addresses = new ArrayList<>();
        for (int k = 0; k < nodes.length; k++) {
            addresses.add(address((first + k) % nodes.length));
        }
        return addresses;
    }

    /** The index of the running node that leads, once there is one. */
    int awaitLeader() {
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

    @Override
    public void close() {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                stop(i);
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
