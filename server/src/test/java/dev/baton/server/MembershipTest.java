package dev.baton.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.config.ClusterConfig;
import dev.baton.config.HostPort;
import dev.baton.config.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operators change the cluster while it serves: a member joins, another leaves. */
class MembershipTest {
    @TempDir
    Path dir;

    @Test
    void aNewMemberJoinsAndCatchesUpAndAFoundingMemberLeavesAndComesBack() throws Exception {
        try (TestCluster cluster = TestCluster.started(dir, 3, 100_000)) {
            for (int i = 0; i < 20; i++) {
                Http.post(cluster.url(0) + "/v1/queues/q/tasks", "{\"subject\": \"t" + i + "\"}");
            }
            // A fourth node starts with join: true and waits to be added.
            ClusterConfig first = cluster.config(0);
            NodeConfig n4 = new NodeConfig("n4",
                    new HostPort("127.0.0.1", TestCluster.freePort()),
                    new HostPort("127.0.0.1", TestCluster.freePort()));
            List<NodeConfig> members = new ArrayList<>(first.nodes());
            members.add(n4);
            ClusterConfig config = new ClusterConfig(first.groupId(), "n4", dir.resolve("n4"),
                    members, first.tuning(), true);
            try (BatonNode fourth = BatonNode.start(config)) {
                // An operator adds it through any node.
                Http.Reply added = Http.post(cluster.url(1) + "/v1/cluster/members",
                        "{\"id\": \"n4\", \"raftAddress\": \"" + n4.raft()
                                + "\", \"httpAddress\": \"" + n4.http() + "\"}");
                assertEquals(200, added.status(), added.body().toString());
                assertEquals(4, added.body().get("nodes").size());
                // A retry of the same add (say, after a lost answer) answers the same.
                Http.Reply again = Http.post(cluster.url(2) + "/v1/cluster/members",
                        "{\"id\": \"n4\", \"raftAddress\": \"" + n4.raft()
                                + "\", \"httpAddress\": \"" + n4.http() + "\"}");
                assertEquals(200, again.status(), again.body().toString());
                assertEquals(4, again.body().get("nodes").size());

                // It catches up: it serves what was written before it joined.
                String url = "http://" + n4.http() + "/v1/queues/q/tasks?consistency=stale";
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        Http.get(url).body().path("tasks").size() == 20);
                JsonNode view = Http.get(cluster.url(2) + "/v1/cluster").body();
                assertEquals(4, view.get("nodes").size());

                // A founding follower leaves; the cluster keeps taking writes.
                int leader = cluster.awaitLeader();
                int leaving = (leader + 1) % 3;
                String member = cluster.url(leader) + "/v1/cluster/members/n" + (leaving + 1);
                Http.Reply removed = Http.delete(member, "remove-once");
                assertEquals(200, removed.status(), removed.body().toString());
                assertEquals(3, removed.body().get("nodes").size());
                // A client that lost the answer retries with the same key: the same answer,
                // not a 404 for the member it removed. Without the key, or with another, 404.
                Http.Reply retried = Http.delete(member, "remove-once");
                assertEquals(200, retried.status(), retried.body().toString());
                assertEquals(removed.body().get("nodes"), retried.body().get("nodes"));
                assertEquals(404, Http.delete(member).status());
                assertEquals(404, Http.delete(member, "another-key").status());
                assertEquals(201, Http.post("http://" + n4.http() + "/v1/queues/q/tasks",
                        "{\"subject\": \"after\"}").status());
                assertEquals(404, Http.delete(cluster.url(leader)
                        + "/v1/cluster/members/n9").status());

                // The removed node says so, and is not ready.
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    Http.Reply ready = Http.get(cluster.url(leaving) + "/health/ready");
                    return ready.status() == 503 && ready.body().path("error").path("message")
                            .asText().contains("removed from the cluster");
                });
                // Restarted, it can be added back, and takes part again.
                NodeConfig back = cluster.config(leaving).self();
                cluster.stop(leaving);
                cluster.start(leaving);
                Http.Reply readded = Http.post(cluster.url(leader) + "/v1/cluster/members",
                        "{\"id\": \"" + back.id() + "\", \"raftAddress\": \"" + back.raft()
                                + "\", \"httpAddress\": \"" + back.http() + "\"}");
                assertEquals(200, readded.status(), readded.body().toString());
                assertEquals(4, readded.body().get("nodes").size());
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        Http.get(cluster.url(leaving) + "/health/ready").status() == 200);
                assertEquals(201, Http.post(cluster.url(leaving) + "/v1/queues/q/tasks",
                        "{\"subject\": \"back\"}").status());
            }
        }
    }
}
