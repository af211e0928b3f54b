package dev.baton.client.cli;

/**
 * A request the CLI refuses to send, or whose outcome it cannot use, for the same reasons the
 * cluster would refuse one (the task is not yours, nothing was there to claim): exit code 1,
 * like a refused request.
 */
final class CommandFailed extends RuntimeException {
    CommandFailed(String message) {
        super(message);
    }
}
