package dev.baton.client.cli;

/**
 * A mistake on the command line or in the CLI's configuration: an unknown command or option, a
 * missing or malformed value. The message says which; the exit code is 2. The command's usage
 * line follows it, except for mistakes in the environment or the config file, where it would
 * not help.
 */
final class UsageException extends RuntimeException {
    private final boolean showUsage;

    UsageException(String message) {
        this(message, true);
    }

    private UsageException(String message, boolean showUsage) {
        super(message);
        this.showUsage = showUsage;
    }

    /** A mistake in BATON_* variables or the config file, not on the command line. */
    static UsageException inSettings(String message) {
        return new UsageException(message, false);
    }

    boolean showUsage() {
        return showUsage;
    }
}
