package dev.baton.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;

/**
 * One run of one command: its arguments, its environment, and, made when first needed, the
 * resolved settings and the client. Prints human lines, or with {@code --json} the API's JSON.
 */
final class Context implements AutoCloseable {
    final Environment env;
    final Args args;
    private Settings settings;
    private Api api;

    Context(Environment env, Args args) {
        this.env = env;
        this.args = args;
    }

    Settings settings() {
        if (settings == null) {
            settings = Settings.resolve(args, env);
        }
        return settings;
    }

    Api api() {
        if (api == null) {
            api = new Api(settings());
        }
        return api;
    }

    String queue() {
        return settings().queue();
    }

    String agent() {
        return settings().agent();
    }

    boolean json() {
        return args.flag("--json");
    }

    PrintStream out() {
        return env.stdout();
    }

    void print(String line) {
        env.stdout().println(line);
    }

    void print(Iterable<String> lines) {
        lines.forEach(env.stdout()::println);
    }

    /** One JSON document on one line. */
    void printJson(JsonNode json) {
        try {
            env.stdout().println(Api.JSON.writeValueAsString(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** The JSON with --json, else the human line. */
    void print(JsonNode json, String line) {
        if (json()) {
            printJson(json);
        } else {
            print(line);
        }
    }

    /** A remark on stderr that is not an error (the command goes on). */
    void warn(String message) {
        env.stderr().println("baton: " + message);
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        env.stdout().flush();
    }
}
