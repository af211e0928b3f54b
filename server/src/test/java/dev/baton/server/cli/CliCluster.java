package dev.baton.server.cli;

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
import java.util.stream.Collectors;

/**
 * A real Ratis cluster on loopback, one {@link BatonNode} per member, in this JVM, with the
 * short election timeouts of the other server tests; ports are free ones, so a dev cluster on
 * 7070-7072 does not matter.
 */
final class CliCluster implements AutoCloseable {
    private final List<ClusterConfig> configs = new ArrayList<>();
    private final BatonNode[] nodes;

    private CliCluster(Path dir, int size) {
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

    static CliCluster started(Path dir, int size) {
        CliCluster cluster = new CliCluster(dir, size);
        try {
            for (int i = 0; i < size; i++) {
                cluster.nodes[i] = BatonNode.start(cluster.configs.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (BatonNode n : cluster.nodes) {
                if (n.raft().division().getInfo().isLeaderReady()) {
                    return true;
                }
            }
            return false;
        });
        return cluster;
    }

    /** Every node's HTTP address, as BATON_SERVER takes them: {@code h:p,h:p,h:p}. */
    String servers() {
        return configs.stream().map(c -> c.self().http().toString())
                .collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        for (BatonNode n : nodes) {
            if (n != null) {
                try {
                    n.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
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
