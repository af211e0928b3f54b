package dev.baton.client;

import static dev.baton.client.FakeNode.Reply.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every failover case of {@link FailoverTest} again through the Netty HTTP engine, and what only
 * that engine has to get right: connections kept alive and reused, and a connection the server
 * closes replaced.
 */
class NettyFailoverTest extends FailoverTest {
    @Override
    BatonClient.Http http() {
        return BatonClient.Http.NETTY;
    }

    @Test
    void callsReuseOneConnectionUntilTheServerClosesIt() {
        String task = FakeNode.task("q", 1, "pending", null, null);
        try (FakeNode node = new FakeNode(r -> r.path().endsWith("/tasks/2")
                ? new FakeNode.Reply(200, task, Map.of("Connection", "close"))
                : json(200, task));
             BatonClient client = BatonClient.builder().servers(node.address())
                     .http(BatonClient.Http.NETTY).build()) {
            for (int i = 0; i < 5; i++) {
                assertEquals(1, client.task("q", 1).id());
            }
            assertEquals(1, node.connections(), "five calls, one connection");

            // This answer closes its connection: the calls after it open one more, once.
            client.task("q", 2);
            for (int i = 0; i < 5; i++) {
                assertEquals(1, client.task("q", 1).id());
            }
            assertEquals(11, node.seen().size());
            assertEquals(2, node.connections());
        }
    }

    @Test
    void anHttpsServerIsRefusedWhenTheClientIsBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatonClient.builder().servers(List.of("https://127.0.0.1:7070"))
                        .http(BatonClient.Http.NETTY).build());
        assertTrue(e.getMessage().contains("plain http://"), e.getMessage());
    }
}
