package dev.baton.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.config.HostPort;
import dev.baton.config.NodeConfig;
import dev.baton.core.Command;
import dev.baton.server.raft.RaftNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * The cluster as one node sees it: {@code GET /v1/cluster}, this node's own line
 * ({@code GET /v1/cluster/self}), and readiness. Each node reports its own role and indexes;
 * {@code /v1/cluster} gathers the other nodes' lines over HTTP, so an operator sees every node's
 * applied index, not the leader's guess at it.
 */
final class ClusterView {
    private static final Duration PEER_TIMEOUT = Duration.ofMillis(500);

    private final RaftNode node;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PEER_TIMEOUT).build();

    /** The leader whose HTTP address {@link #leaderElsewhere} last looked up, and that address. */
    private record KnownLeader(RaftPeerId id, String httpAddress) {
    }

    private volatile KnownLeader knownLeader;

    ClusterView(RaftNode node) {
        this.node = node;
    }

    /**
     * The HTTP address ({@code host:port}) of the leader when it is another node, else null: the
     * {@code Baton-Leader} header a follower adds to its answers, so that a client can send its
     * next requests straight to the leader instead of through this node (docs/http-api.md).
     * Looked up once per leader, not per answer.
     */
    String leaderElsewhere() {
        try {
            RaftPeerId leader = node.division().getInfo().getLeaderId();
            if (leader == null || leader.equals(node.selfId())) {
                return null;
            }
            KnownLeader known = knownLeader;
            if (known == null || !known.id().equals(leader)) {
                // Its HTTP address as configured or recorded when it joined; a member whose
                // address is not applied here yet gets no hint (and is looked up again).
                String address = httpAddresses().get(leader.toString());
                if (address == null) {
                    return null;
                }
                known = new KnownLeader(leader, address);
                knownLeader = known;
            }
            return known.httpAddress();
        } catch (IOException | RuntimeException e) {
            return null; // A hint only: a node that cannot tell (starting, stopping) gives none.
        }
    }

    CompletableFuture<HttpResult> handle(Request r, List<String> rest) {
        if (rest.isEmpty()) {
            Api.requireMethod(r.method(), "GET");
            return cluster();
        }
        if (rest.size() == 1 && rest.get(0).equals("self")) {
            Api.requireMethod(r.method(), "GET");
            return CompletableFuture.completedFuture(Api.ok(self()));
        }
        if (rest.size() == 1 && rest.get(0).equals("members")) {
            Api.requireMethod(r.method(), "POST");
            JsonBody b = JsonBody.parse(r.body(),
                    java.util.Set.of("id", "raftAddress", "httpAddress"));
            String id = b.requiredString("id");
            String raft = b.requiredString("raftAddress");
            String http = b.requiredString("httpAddress");
            Api.reject(dev.baton.core.Validation.memberId(id));
            Api.reject(dev.baton.core.Validation.address("raftAddress", raft));
            Api.reject(dev.baton.core.Validation.address("httpAddress", http));
            java.util.Optional<NodeConfig> existing = members().stream()
                    .filter(m -> m.id().equals(id)).findFirst();
            if (existing.isPresent()) {
                // A retried add (same member, same address) answers as the first one did.
                if (existing.get().raft().toString().equals(raft)) {
                    return CompletableFuture.completedFuture(configuration());
                }
                throw ApiException.invalid(id + " is already a member, at "
                        + existing.get().raft());
            }
            return node.addMember(id, raft, http).thenApply(o -> configuration());
        }
        if (rest.size() == 2 && rest.get(0).equals("members")) {
            Api.requireMethod(r.method(), "DELETE");
            String id = rest.get(1);
            Command.RemoveMember remove = new Command.RemoveMember(id);
            Api.check(r, remove);
            String key = r.idempotencyKey();
            if (members().stream().noneMatch(m -> m.id().equals(id))) {
                String gone = "no member " + id + " in this cluster";
                if (key == null) {
                    throw ApiException.notFound(gone);
                }
                // A retry of a removal that went through (same Idempotency-Key) answers as the
                // first one did, not 404; the key is remembered with the removal's entry.
                return node.readBarrier().thenApply(v -> {
                    if (node.stateMachine().read(reader -> reader.replay(key, remove)) == null) {
                        throw ApiException.notFound(gone);
                    }
                    return configuration();
                });
            }
            return node.removeMember(id, key).thenApply(o -> configuration());
        }
        if (rest.size() == 1 && rest.get(0).equals("snapshot")) {
            Api.requireMethod(r.method(), "POST");
            JsonBody.parse(r.body(), java.util.Set.of());
            return node.snapshot().thenApply(index -> {
                ObjectNode body = Json.object();
                body.put("index", index);
                return Api.ok(body);
            });
        }
        if (rest.size() == 1 && rest.get(0).equals("leader")) {
            Api.requireMethod(r.method(), "POST");
            String id = JsonBody.parse(r.body(), java.util.Set.of("id")).requiredString("id");
            if (members().stream().noneMatch(m -> m.id().equals(id))) {
                throw ApiException.notFound("no member " + id + " in this cluster");
            }
            return node.transferLeadership(id).thenCompose(v -> cluster());
        }
        throw ApiException.notFound("no such endpoint: /v1/cluster/" + String.join("/", rest));
    }

    /** How long a readiness probe waits for this node to catch up before it answers 503. */
    private static final long READY_WAIT_MS = 1_000;

    /**
     * 200 when this node knows a leader and has applied everything committed. A node's own
     * commit index lags the leader's while it catches up (a restarted node knows only what is
     * in its log), so the probe asks the leader: the read barrier completes once this node has
     * applied what the leader had committed when it was asked.
     */
    CompletableFuture<HttpResult> ready() {
        RaftServer.Division d = division();
        RaftPeerId leader = d.getInfo().getLeaderId();
        long committed = d.getRaftLog().getLastCommittedIndex();
        long applied = d.getInfo().getLastAppliedIndex();
        if (!d.getInfo().isAlive()) {
            // Ratis closes a member's group when a configuration without it is applied.
            return CompletableFuture.completedFuture(notReady("this node is not serving as a "
                    + "member: it was removed from the cluster, or is stopping; to add it back, "
                    + "restart it and add it again (POST /v1/cluster/members)"));
        }
        if (leader == null || applied < committed) {
            return CompletableFuture.completedFuture(notReady(leader == null
                    ? "this node knows no leader yet"
                    : "this node has applied " + applied + " of " + committed + " entries"));
        }
        return node.readBarrier().orTimeout(READY_WAIT_MS, TimeUnit.MILLISECONDS)
                .handle((v, error) -> {
                    if (error != null) {
                        return notReady("this node is still catching up with leader "
                                + leader + " (applied " + d.getInfo().getLastAppliedIndex()
                                + ")");
                    }
                    ObjectNode body = Json.object();
                    body.put("status", "ready");
                    body.put("leader", leader.toString());
                    body.put("appliedIndex", d.getInfo().getLastAppliedIndex());
                    return Api.ok(body);
                });
    }

    private static HttpResult notReady(String why) {
        return new HttpResult(503, Json.bytes(Json.error("unavailable", why, Map.of())),
                Map.of("Retry-After", "1"));
    }

    private ObjectNode self() {
        RaftServer.Division d = division();
        NodeConfig self = node.config().self();
        ObjectNode n = Json.object();
        n.put("id", self.id());
        n.put("raftAddress", self.raft().toString());
        n.put("httpAddress", self.http().toString());
        n.put("role", d.getInfo().getCurrentRole().name().toLowerCase(Locale.ROOT));
        n.put("term", d.getInfo().getCurrentTerm());
        RaftPeerId leader = d.getInfo().getLeaderId();
        n.put("leader", leader == null ? null : leader.toString());
        n.put("commitIndex", d.getRaftLog().getLastCommittedIndex());
        n.put("appliedIndex", d.getInfo().getLastAppliedIndex());
        return n;
    }

    private CompletableFuture<HttpResult> cluster() {
        ObjectNode mine = self();
        RaftServer.Division d = division();
        List<CompletableFuture<ObjectNode>> lines = new ArrayList<>();
        for (NodeConfig peer : members()) {
            if (peer.id().equals(node.config().nodeId())) {
                lines.add(CompletableFuture.completedFuture(mine));
            } else {
                lines.add(fetch(peer, d));
            }
        }
        return CompletableFuture.allOf(lines.toArray(CompletableFuture[]::new)).thenApply(v -> {
            ObjectNode body = Json.object();
            body.set("leader", mine.get("leader"));
            body.set("term", mine.get("term"));
            ArrayNode nodes = body.putArray("nodes");
            for (CompletableFuture<ObjectNode> line : lines) {
                ObjectNode n = line.join();
                n.remove("leader"); // Each node's own term stays: it shows a node that lags.
                nodes.add(n);
            }
            return Api.ok(body);
        });
    }

    /**
     * The members of the current Raft configuration, with the HTTP addresses recorded when they
     * were added (or, for founding members, from this node's configuration file). A node that
     * has not joined yet knows no configuration and shows its file's.
     */
    List<NodeConfig> members() {
        Map<String, String> http = httpAddresses();
        List<NodeConfig> members = new ArrayList<>();
        for (RaftPeer p : division().getRaftConf().getCurrentPeers()) {
            String id = p.getId().toString();
            String address = http.get(id);
            members.add(new NodeConfig(id, HostPort.parse(p.getAddress()),
                    address == null ? HostPort.parse(p.getAddress()) : HostPort.parse(address)));
        }
        members.sort(java.util.Comparator.comparing(NodeConfig::id));
        return members.isEmpty() ? node.config().nodes() : members;
    }

    /** HTTP addresses by member id: from this node's file, then as recorded when they joined. */
    private Map<String, String> httpAddresses() {
        Map<String, String> http = new java.util.HashMap<>();
        node.config().nodes().forEach(n -> http.put(n.id(), n.http().toString()));
        node.stateMachine().read(r -> r.members())
                .forEach(m -> http.put(m.id(), m.httpAddress()));
        return http;
    }

    private HttpResult configuration() {
        ObjectNode body = Json.object();
        ArrayNode nodes = body.putArray("nodes");
        for (NodeConfig m : members()) {
            ObjectNode n = nodes.addObject();
            n.put("id", m.id());
            n.put("raftAddress", m.raft().toString());
            n.put("httpAddress", m.http().toString());
        }
        return Api.ok(body);
    }

    /** Another node's own line; if it does not answer, what this node knows of it. */
    private CompletableFuture<ObjectNode> fetch(NodeConfig peer, RaftServer.Division d) {
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://" + peer.http() + "/v1/cluster/self"))
                .timeout(PEER_TIMEOUT).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(response -> {
                    try {
                        JsonNode n = Json.MAPPER.readTree(response.body());
                        if (response.statusCode() != 200 || !n.isObject()) {
                            throw new IOException("status " + response.statusCode());
                        }
                        return (ObjectNode) n;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .exceptionally(e -> {
                    ObjectNode n = Json.object();
                    n.put("id", peer.id());
                    n.put("raftAddress", peer.raft().toString());
                    n.put("httpAddress", peer.http().toString());
                    n.put("role", "unreachable");
                    Long commit = null;
                    for (CommitInfoProto info : d.getCommitInfos()) {
                        if (info.getServer().getId().toStringUtf8().equals(peer.id())) {
                            commit = info.getCommitIndex();
                        }
                    }
                    n.put("commitIndex", commit);
                    n.putNull("appliedIndex");
                    return n;
                });
    }

    private RaftServer.Division division() {
        try {
            return node.division();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
