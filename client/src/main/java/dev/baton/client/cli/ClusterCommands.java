package dev.baton.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.client.ClusterInfo;
import java.util.stream.Collectors;

/**
 * {@code cluster status}, {@code add}, {@code remove}, {@code leader} and {@code snapshot}
 * ({@code cluster init}, which writes files and calls nothing, is the launcher's).
 */
final class ClusterCommands {
    private ClusterCommands() {
    }

    static int status(Context c) {
        JsonNode answer = c.api().get("/v1/cluster");
        if (c.json()) {
            c.printJson(answer);
            return 0;
        }
        c.print(Format.cluster(Api.decode(answer, ClusterInfo.class)));
        return 0;
    }

    static int add(Context c) {
        String id = c.args.positional(0);
        JsonNode answer = c.api().post("/v1/cluster/members", Api.object().put("id", id)
                .put("raftAddress", c.args.positional(1))
                .put("httpAddress", c.args.positional(2)));
        c.print(answer, Format.OK + " added " + id + " · members " + members(answer));
        return 0;
    }

    static int remove(Context c) {
        String id = c.args.positional(0);
        JsonNode answer = c.api().delete("/v1/cluster/members/"
                + dev.baton.client.BatonClient.pathSegment(id));
        c.print(answer, Format.OK + " removed " + id + " · members " + members(answer));
        return 0;
    }

    static int leader(Context c) {
        String id = c.args.positional(0);
        JsonNode answer = c.api().post("/v1/cluster/leader", Api.object().put("id", id));
        ClusterInfo info = Api.decode(answer, ClusterInfo.class);
        c.print(answer, Format.OK + " leader " + (info.leader() == null ? "unknown"
                : info.leader()) + " · term " + info.term());
        return 0;
    }

    static int snapshot(Context c) {
        JsonNode answer = c.api().post("/v1/cluster/snapshot", null);
        c.print(answer, Format.OK + " snapshot at index " + answer.path("index").asLong());
        return 0;
    }

    private static String members(JsonNode configuration) {
        return Api.decode(configuration, ClusterInfo.class).nodes().stream()
                .map(ClusterInfo.Node::id).collect(Collectors.joining(", "));
    }
}
