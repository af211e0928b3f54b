package dev.baton.server.client;

import dev.baton.client.BatonClient;
import dev.baton.client.Worker;
import java.time.Duration;

/**
 * A worker process that claims one task and then hangs in its handler, for
 * {@link ClientWorkerTest} to kill with SIGKILL mid-task, as a crashed agent host would die.
 * It prints {@code CLAIMED <id> <token>} once it holds a task.
 *
 * <p>Arguments: comma-separated servers, queue, agent, session TTL in milliseconds.
 */
public final class DoomedWorker {
    private DoomedWorker() {
    }

    public static void main(String[] args) throws Exception {
        BatonClient client = BatonClient.builder().servers(args[0]).build();
        Worker.builder(client, args[1], args[2])
                .sessionTtl(Duration.ofMillis(Long.parseLong(args[3])))
                .handler(task -> {
                    System.out.println("CLAIMED " + task.id() + " " + task.token());
                    System.out.flush();
                    Thread.sleep(Long.MAX_VALUE); // Until SIGKILL.
                    return "never";
                })
                .start();
        System.out.println("STARTED");
        System.out.flush();
    }
}
