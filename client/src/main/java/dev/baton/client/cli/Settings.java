package dev.baton.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the CLI sends its calls and as whom, resolved as ../shared/CLI.md says, first found
 * wins:
 * <ul>
 * <li>servers: {@code --server HOST:PORT[,...]}, {@code BATON_SERVER}, the config file's
 *     {@code server}, {@code 127.0.0.1:7070};</li>
 * <li>agent: {@code --agent}, {@code BATON_AGENT}, {@code agent}, {@code USER@HOSTNAME};</li>
 * <li>queue: {@code --queue} ({@code -q}), {@code BATON_QUEUE}, {@code queue},
 *     {@code default};</li>
 * <li>token: {@code --token}, {@code BATON_TOKEN}, {@code token}, none.</li>
 * </ul>
 * The config file is {@code $BATON_CONFIG}, else {@code ~/.config/baton/cli.yaml}; a missing
 * default file is fine, a malformed one is a usage error that names it. Empty values count as
 * unset.
 *
 * @param serversFrom where the servers came from, for error messages
 * @param timeout how long a call keeps trying the servers ({@code --timeout}, 10 s)
 */
record Settings(List<String> servers, String serversFrom, String agent, String queue,
                String token, Duration timeout) {
    static final String DEFAULT_SERVER = "127.0.0.1:7070";
    static final String DEFAULT_QUEUE = "default";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final List<String> CONFIG_KEYS = List.of("server", "agent", "queue", "token");

    private static final Pattern SERVER =
            Pattern.compile("(https?://)?(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+):\\d{1,5}/?");
    /** The agent-name characters of the API contract; others in USER@HOSTNAME become '_'. */
    private static final Pattern NOT_AGENT_CHAR = Pattern.compile("[^A-Za-z0-9._:@/-]");

    static Settings resolve(Args args, Environment env) {
        Map<String, String> file = loadConfig(env);
        String server = first(args, "--server", env, "BATON_SERVER", file, "server");
        String serversFrom = from(args, "--server", env, "BATON_SERVER", file, "server");
        List<String> servers = servers(server == null ? DEFAULT_SERVER : server,
                serversFrom == null ? "the default" : serversFrom);
        String agent = first(args, "--agent", env, "BATON_AGENT", file, "agent");
        if (agent == null) {
            agent = defaultAgent(env);
        }
        String queue = first(args, "--queue", env, "BATON_QUEUE", file, "queue");
        String token = first(args, "--token", env, "BATON_TOKEN", file, "token");
        Duration timeout = args.value("--timeout") == null ? DEFAULT_TIMEOUT
                : args.duration("--timeout");
        if (timeout.isZero()) {
            throw new UsageException("--timeout must be more than 0");
        }
        return new Settings(servers, serversFrom == null ? "the default" : serversFrom, agent,
                queue == null ? DEFAULT_QUEUE : queue, token, timeout);
    }

    /** {@code USER@HOSTNAME}, with characters an agent name cannot hold replaced by '_'. */
    static String defaultAgent(Environment env) {
        String user = env.variable("USER");
        if (user == null) {
            user = env.userName();
        }
        String name = user + "@" + env.hostName();
        return NOT_AGENT_CHAR.matcher(name).replaceAll("_");
    }

    /** The config file's keys, or none when there is no file. */
    static Map<String, String> loadConfig(Environment env) {
        String named = env.variable("BATON_CONFIG");
        Path file = named != null ? Path.of(named)
                : env.home().resolve(".config/baton/cli.yaml");
        if (!Files.exists(file)) {
            if (named != null) {
                throw UsageException.inSettings("BATON_CONFIG names " + file
                        + ", which does not exist");
            }
            return Map.of();
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw UsageException.inSettings("cannot read the CLI config " + file + ": "
                    + e.getMessage());
        }
        return parseConfig(file, text);
    }

    static Map<String, String> parseConfig(Path file, String text) {
        JsonNode root;
        try {
            root = Yaml.read(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage().lines().findFirst().orElse("");
            throw UsageException.inSettings("the CLI config " + file + " is not valid YAML: " + why
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
                    + ")"));
        } catch (NoClassDefFoundError e) {
            throw UsageException.inSettings("reading the CLI config " + file + " needs"
                    + " jackson-dataformat-yaml on the class path");
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return Map.of();
        }
        if (!root.isObject()) {
            throw UsageException.inSettings("the CLI config " + file + " must be a mapping of "
                    + String.join(", ", CONFIG_KEYS));
        }
        Map<String, String> values = new LinkedHashMap<>();
        var fields = root.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (!CONFIG_KEYS.contains(key)) {
                throw UsageException.inSettings("the CLI config " + file
                        + " has an unknown key \"" + key + "\" (it takes "
                        + String.join(", ", CONFIG_KEYS) + ")");
            }
            if (key.equals("server") && value.isArray()) {
                List<String> servers = new ArrayList<>();
                value.forEach(v -> servers.add(v.asText()));
                values.put(key, String.join(",", servers));
            } else if (value.isValueNode() && !value.isNull()) {
                values.put(key, value.asText());
            } else if (!value.isNull()) {
                throw UsageException.inSettings("the CLI config " + file + ": \"" + key
                        + "\" must be a single value");
            }
        }
        return values;
    }

    /** Splits and checks a server list; a bad entry is a usage error naming its source. */
    static List<String> servers(String text, String from) {
        List<String> servers = Arrays.stream(text.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        if (servers.isEmpty()) {
            throw UsageException.inSettings("no server given by " + from);
        }
        for (String s : servers) {
            if (!SERVER.matcher(s).matches() || port(s) < 1 || port(s) > 65535) {
                String message = "\"" + s + "\" from " + from + " is not HOST:PORT";
                throw from.startsWith("--") ? new UsageException(message)
                        : UsageException.inSettings(message);
            }
        }
        return servers;
    }

    private static int port(String server) {
        String s = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        return Integer.parseInt(s.substring(s.lastIndexOf(':') + 1));
    }

    private static String first(Args args, String option, Environment env, String variable,
                                Map<String, String> file, String key) {
        String flag = args.value(option);
        if (flag != null) {
            if (flag.isBlank()) {
                throw new UsageException(option + " needs a value");
            }
            return flag.trim();
        }
        String fromEnv = env.variable(variable);
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file.get(key);
        return fromFile == null || fromFile.isBlank() ? null : fromFile.trim();
    }

    private static String from(Args args, String option, Environment env, String variable,
                               Map<String, String> file, String key) {
        if (args.value(option) != null) {
            return option;
        }
        if (env.variable(variable) != null) {
            return variable;
        }
        String fromFile = file.get(key);
        return fromFile == null || fromFile.isBlank() ? null : "the CLI config's " + key;
    }

    /** Servers as given again: {@code a:1,b:2}, for {@code BATON_SERVER} of run's command. */
    String serverList() {
        return String.join(",", servers);
    }
}
