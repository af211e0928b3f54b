package dev.baton.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A claim-next whose client hung up stops waiting, and never claims for nobody. */
class AbandonedLongPollTest {
    @TempDir
    Path dir;

    @Test
    void aLongPollWhoseClientHangsUpClaimsNothingLater() throws Exception {
        try (TestCluster cluster = TestCluster.started(dir, 3, 100_000)) {
            String host = cluster.config(0).self().http().host();
            int port = cluster.config(0).self().http().port();
            // An agent long-polls an empty queue for 30 s, then its connection drops.
            String body = "{\"agent\": \"gone\", \"waitMs\": 30000}";
            try (Socket socket = new Socket(host, port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/queues/abandon/claim HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                // Parked by now: wait until the request has surely been proposed and found
                // nothing (a negative can only be shown by waiting a moment).
                Awaitility.await().pollDelay(Duration.ofMillis(500)).until(() -> true);
            }
            // A task arrives after the hang-up: nobody may claim it on the lost poll's behalf.
            assertEquals(201, Http.post(cluster.url(1) + "/v1/queues/abandon/tasks",
                    "{\"subject\": \"for a live agent\"}").status());
            Awaitility.await().pollDelay(Duration.ofMillis(1000)).until(() -> true);
            assertEquals("pending", Http.get(cluster.url(2) + "/v1/queues/abandon/tasks/1")
                    .body().get("status").asText());
        }
    }
}
