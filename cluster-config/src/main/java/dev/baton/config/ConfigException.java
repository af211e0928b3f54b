package dev.baton.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used, with every problem found in it, not just the first. */
public final class ConfigException extends Exception {

    private final List<String> problems;

    /**
     * Creates the exception. The source, usually the file name, prefixes every line of the
     * message so that an operator can tell which of several nodes' files is wrong; it may be null.
     */
    public ConfigException(String source, List<String> problems) {
        super(format(source, problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, each of the form {@code field.path: what is wrong}. */
    public List<String> problems() {
        return problems;
    }

    private static String format(String source, List<String> problems) {
        String prefix = source == null ? "" : source + ": ";
        return problems.stream().map(p -> prefix + p).collect(Collectors.joining("\n"));
    }
}
