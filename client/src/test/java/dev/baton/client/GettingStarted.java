package dev.baton.client;

/**
 * The snippet of {@link Worker}'s Javadoc, kept here so that it always compiles. Run it against
 * {@code bin/baton dev} to drain the default queue.
 */
final class GettingStarted {
    private GettingStarted() {
    }

    public static void main(String[] args) throws Exception {
        BatonClient client = BatonClient.builder()
                .servers("127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072").build();
        Worker worker = Worker.builder(client, "default", "agent:builder-1")
                .capabilities("python")
                .concurrency(4)
                .handler(ctx -> {
                    ctx.progress("building", 10);
                    return "built " + ctx.task().subject();   // becomes the task's result
                })
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close));
        worker.awaitTermination();
    }
}
