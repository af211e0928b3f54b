package dev.baton.client.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: the command, its positional arguments, its options and flags, and
 * for {@code run} the command after {@code --}. Options take {@code --name value} or
 * {@code --name=value}; the global ones ({@code --server}, {@code --json}...) may come before
 * or after the command's name. A value option always takes the next word, so that
 * {@code --priority -1} works. After {@code --}, every word is positional (or, for
 * {@code run}, the command to run).
 */
final class Args {
    /** The command when none was given, or help was asked for: prints the usage. */
    static final String HELP = "help";

    private final Spec spec;
    private final List<String> positionals;
    private final Map<String, List<String>> values;
    private final Set<String> flags;
    private final List<String> passThrough;

    private Args(Spec spec, List<String> positionals, Map<String, List<String>> values,
                 Set<String> flags, List<String> passThrough) {
        this.spec = spec;
        this.positionals = List.copyOf(positionals);
        this.values = values;
        this.flags = flags;
        this.passThrough = passThrough == null ? null : List.copyOf(passThrough);
    }

    /**
     * Parses a command line. {@code baton}, {@code baton help [COMMAND]} and {@code --help}
     * anywhere parse to a spec-less Args whose {@link #helpTopic()} says what to print.
     *
     * @throws UsageException for an unknown command or option, a missing value, or a wrong
     *         number of arguments
     */
    static Args parse(String[] argv) {
        List<String> words = Arrays.asList(argv);
        int at = commandWord(words, 0);
        if (at < 0 || words.get(at).equals(HELP)) {
            String topic = at < 0 ? null : topicAfter(words, at);
            return help(topic);
        }
        String name = words.get(at);
        Set<Integer> nameWords = new LinkedHashSet<>(List.of(at));
        if (name.equals("cluster")) {
            int sub = commandWord(words, at + 1);
            if (sub >= 0 && words.get(sub).equals("init")) {
                name = "cluster init";
            } else if (sub < 0 || !Spec.CLUSTER_SUBCOMMANDS.contains(words.get(sub))) {
                if (words.contains("--help") || words.contains("-h")) {
                    return help("cluster");
                }
                throw new UsageException(sub < 0 ? "cluster needs a subcommand: "
                        + String.join(", ", Spec.CLUSTER_SUBCOMMANDS) + " (or init)"
                        : "unknown subcommand \"cluster " + words.get(sub) + "\"; cluster takes "
                        + String.join(", ", Spec.CLUSTER_SUBCOMMANDS) + " (or init)");
            } else {
                name = "cluster " + words.get(sub);
                nameWords.add(sub);
            }
        }
        Spec spec = Spec.ALL.get(name);
        if (spec == null && (name.equals("dev") || name.equals("server")
                || name.equals("cluster init"))) {
            throw new UsageException(name + " is the launcher's and takes none of the options"
                    + " of every command: run it as baton " + name + " ...");
        }
        if (spec == null) {
            throw new UsageException("unknown command \"" + name + "\"");
        }
        try {
            return parse(spec, words, nameWords);
        } catch (UsageException e) {
            throw new CommandUsageException(e.getMessage(), spec);
        }
    }

    /** A mistake on a known command's line: its usage follows the message. */
    static final class CommandUsageException extends RuntimeException {
        private final Spec spec;

        CommandUsageException(String message, Spec spec) {
            super(message);
            this.spec = spec;
        }

        Spec spec() {
            return spec;
        }
    }

    private static Args parse(Spec spec, List<String> words, Set<Integer> nameWords) {
        List<String> positionals = new ArrayList<>();
        Map<String, List<String>> values = new HashMap<>();
        Set<String> flags = new LinkedHashSet<>();
        List<String> passThrough = null;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (nameWords.contains(i)) {
                continue;
            }
            if (word.equals("--")) {
                List<String> rest = words.subList(i + 1, words.size());
                if (spec.passThrough()) {
                    passThrough = rest;
                } else {
                    positionals.addAll(rest);
                }
                break;
            }
            if (!isOption(word)) {
                positionals.add(word);
                continue;
            }
            int eq = word.indexOf('=');
            String option = canonical(eq > 0 ? word.substring(0, eq) : word);
            if (spec.takesFlag(option)) {
                if (eq > 0) {
                    throw new UsageException(option + " takes no value");
                }
                flags.add(option);
            } else if (spec.takesValue(option)) {
                String value;
                if (eq > 0) {
                    value = word.substring(eq + 1);
                } else if (i + 1 < words.size()) {
                    value = words.get(++i);
                } else {
                    throw new UsageException(option + " needs a value");
                }
                List<String> list = values.computeIfAbsent(option, k -> new ArrayList<>());
                if (!list.isEmpty() && !spec.repeatable().contains(option)) {
                    throw new UsageException(option + " is given twice");
                }
                list.add(value);
            } else {
                throw new UsageException("unknown option \"" + option + "\" for "
                        + spec.name());
            }
        }
        Args args = new Args(spec, positionals, values, flags, passThrough);
        if (!args.flag("--help")) {
            args.checkCounts();
        }
        return args;
    }

    private void checkCounts() {
        int n = positionals.size();
        if (n < spec.minArgs()) {
            throw new UsageException(spec.name() + " needs " + (spec.minArgs() == 1
                    ? "an argument" : spec.minArgs() + " arguments"));
        }
        if (n > spec.maxArgs()) {
            String extra = positionals.get(spec.maxArgs());
            throw new UsageException(spec.maxArgs() == 0
                    ? spec.name() + " takes no arguments, got \"" + extra + "\""
                    : "unexpected argument \"" + extra + "\" (quote a text with spaces)");
        }
    }

    /**
     * The index of the first word that is neither a global option (nor its value) nor a global
     * flag, from {@code from}; -1 when there is none. A command option before the command is
     * an error, since it cannot be told apart from a value.
     */
    private static int commandWord(List<String> words, int from) {
        for (int i = from; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals("--")) {
                return -1;
            }
            if (!isOption(word)) {
                return i;
            }
            int eq = word.indexOf('=');
            String option = canonical(eq > 0 ? word.substring(0, eq) : word);
            if (Spec.GLOBAL_VALUES.contains(option)) {
                if (eq < 0) {
                    i++;
                }
            } else if (!Spec.GLOBAL_FLAGS.contains(option)) {
                if (from > 0) {
                    return -1;
                }
                throw new UsageException("unknown option \"" + option + "\"; a command's"
                        + " options come after the command");
            }
        }
        return -1;
    }

    private static String topicAfter(List<String> words, int at) {
        int next = commandWord(words, at + 1);
        if (next < 0) {
            return null;
        }
        String topic = words.get(next);
        int sub = commandWord(words, next + 1);
        if (topic.equals("cluster") && sub >= 0) {
            return topic + " " + words.get(sub);
        }
        return topic;
    }

    private static Args help(String topic) {
        Map<String, List<String>> values = new HashMap<>();
        if (topic != null) {
            values.put("topic", List.of(topic));
        }
        return new Args(null, List.of(), values, Set.of("--help"), null);
    }

    private static boolean isOption(String word) {
        return word.length() > 1 && word.startsWith("-");
    }

    private static String canonical(String option) {
        return Spec.SHORT.getOrDefault(option, option);
    }

    // ----- reading -----

    /** The command's spec, or null for the general help. */
    Spec spec() {
        return spec;
    }

    /** What help was asked for: a command's name, or null for all of them. */
    String helpTopic() {
        if (spec != null) {
            return spec.name();
        }
        List<String> topic = values.get("topic");
        return topic == null ? null : topic.get(0);
    }

    boolean wantsHelp() {
        return flags.contains("--help");
    }

    List<String> positionals() {
        return positionals;
    }

    String positional(int i) {
        return positionals.get(i);
    }

    /** The option's value, or null when it was not given. */
    String value(String option) {
        List<String> list = values.get(option);
        return list == null ? null : list.get(list.size() - 1);
    }

    /** Every value of a repeatable option, in order; empty when it was not given. */
    List<String> values(String option) {
        return values.getOrDefault(option, List.of());
    }

    boolean has(String option) {
        return values.containsKey(option) || flags.contains(option);
    }

    boolean flag(String flag) {
        return flags.contains(flag);
    }

    /** The words after {@code --}, for {@code run}; null when there was no {@code --}. */
    List<String> passThrough() {
        return passThrough;
    }

    // ----- typed values -----

    /** A positive task id. */
    long id(int position) {
        return positiveLong("ID", positional(position));
    }

    Long longValue(String option) {
        String v = value(option);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes a whole number, got \"" + v + "\"");
        }
    }

    Integer intValue(String option) {
        String v = value(option);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes a whole number, got \"" + v + "\"");
        }
    }

    /** A number from 1 up, or null when not given. */
    Integer positiveInt(String option) {
        Integer n = intValue(option);
        if (n != null && n < 1) {
            throw new UsageException(option + " takes a number from 1 up, got \"" + n + "\"");
        }
        return n;
    }

    java.time.Duration duration(String option) {
        String v = value(option);
        return v == null ? null : Durations.parse(option, v);
    }

    /** Task ids from every value of the option, each a comma list: {@code 1,2 --x 3}. */
    List<Long> ids(String option) {
        List<Long> ids = new ArrayList<>();
        for (String v : values(option)) {
            for (String part : v.split(",", -1)) {
                ids.add(positiveLong(option, part));
            }
        }
        return ids;
    }

    /** {@code K=V} pairs from every value of the option, in order. */
    Map<String, String> labels(String option) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String v : values(option)) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(option + " takes KEY=VALUE, got \"" + v + "\"");
            }
            labels.put(v.substring(0, eq), v.substring(eq + 1));
        }
        return labels;
    }

    /** Every value of the option, comma lists split. */
    List<String> list(String option) {
        List<String> all = new ArrayList<>();
        for (String v : values(option)) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    all.add(part.trim());
                }
            }
        }
        return all;
    }

    private static long positiveLong(String what, String text) {
        String t = text.trim();
        if (t.startsWith("#")) {
            t = t.substring(1);
        }
        try {
            long n = Long.parseLong(t);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw new UsageException(what + " takes a task id (a number from 1 up), got \""
                + text + "\"");
    }
}
