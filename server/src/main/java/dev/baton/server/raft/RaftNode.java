package dev.baton.server.raft;

import dev.baton.config.ClusterConfig;
import dev.baton.config.NodeConfig;
import dev.baton.config.Tuning;
import dev.baton.core.Command;
import dev.baton.core.Outcome;
import dev.baton.core.Proposal;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One member of the Raft group: the Ratis server with its {@link TaskStateMachine}, and the
 * path by which this node's HTTP API proposes writes: to its own server while it leads, else
 * to the leader, retried with the same Ratis call ids until some leader answers
 * ({@link Submission}); the leaders' retry caches make the retries safe.
 */
public final class RaftNode implements AutoCloseable {
    /**
     * Entries this node may have on their way to the leader at once; requests arriving
     * meanwhile wait and leave together as the next entry (group commit). One: fewer, larger
     * entries cost less per request than a deeper pipeline (measured: two 32-worker drains
     * went from about 1,800 to about 2,100 claims/s, p99 lower; docs/PERFORMANCE.md), and an
     * idle node still sends each request at once.
     */
    private static final int ENTRIES_IN_FLIGHT_MAX = 1;

    private final ClusterConfig config;
    private final RaftGroup group;
    private final RaftPeerId selfId;
    private final TaskStateMachine stateMachine;
    private final RaftServer server;
    private final RaftClient readClient;
    /** Its transport carries this node's entries to another node ({@link Submission}). */
    private final RaftClient entryClient;
    /**
     * Sends the entries that queued while others replicated, off the RaftClients' threads, and
     * ends the Proposer's holds.
     */
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("baton-sender", true));
    private final Proposer proposer = new Proposer(this::sendEntry, ENTRIES_IN_FLIGHT_MAX,
            sender, sender);
    /** This node's path for its entries; set once the server has started. */
    private volatile Submission submission;

    public RaftNode(ClusterConfig config) throws IOException {
        this.config = config;
        this.selfId = RaftPeerId.valueOf(config.nodeId());
        List<RaftPeer> peers = new ArrayList<>();
        for (NodeConfig node : config.nodes()) {
            peers.add(RaftPeer.newBuilder().setId(node.id()).setAddress(node.raft().toString())
                    .build());
        }
        this.group = RaftGroup.valueOf(RaftGroupId.valueOf(config.groupId()), peers);
        Path raftDir = config.dataDir().resolve("raft");
        this.stateMachine = new TaskStateMachine(config.dataDir().resolve("state").resolve(
                "state.db"), config.tuning().idempotencyKeysMax());
        // RECOVER reopens an existing log; a brand-new directory must be formatted first.
        boolean fresh = !Files.isDirectory(raftDir.resolve(group.getGroupId().getUuid()
                .toString()));
        // A node joining a running cluster starts with an empty group and waits to be added;
        // starting it with the full group could let it campaign on a configuration the
        // cluster never agreed to (RATIS-NOTES P3).
        RaftGroup startGroup = fresh && config.join()
                ? RaftGroup.valueOf(group.getGroupId()) : group;
        this.server = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(startGroup)
                .setProperties(serverProperties(config, raftDir))
                .setStateMachine(stateMachine)
                .setOption(fresh ? RaftStorage.StartupOption.FORMAT
                        : RaftStorage.StartupOption.RECOVER)
                .build();
        RaftProperties clientProperties = clientProperties();
        this.readClient = newClient(clientProperties);
        this.entryClient = newClient(clientProperties);
    }

    private RaftClient newClient(RaftProperties properties) {
        // For read barriers and admin calls (entries go through Submission, which uses only
        // this client's transport). Long enough to ride out an election (4 s), bounded so that
        // a request without a quorum fails instead of hanging; short sleeps, so that a request
        // finds a new leader within a few tens of milliseconds of its election.
        RetryPolicy retry = RetryPolicies.retryUpToMaximumCountWithFixedSleep(160,
                TimeDuration.valueOf(25, TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder().setRaftGroup(group).setProperties(properties)
                .setRetryPolicy(retry).build();
    }

    static RaftProperties serverProperties(ClusterConfig config, Path raftDir) {
        Tuning tuning = config.tuning();
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        NodeConfig self = config.self();
        GrpcConfigKeys.Server.setHost(p, self.raft().host());
        GrpcConfigKeys.Server.setPort(p, self.raft().port());
        RaftServerConfigKeys.setStorageDir(p, List.of(raftDir.toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(tuning.electionTimeoutMinMs()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(tuning.electionTimeoutMaxMs()));
        // A JVM pause longer than this makes a leader step down; GC on 2 cores can pause.
        RaftServerConfigKeys.setSleepDeviationThreshold(p, ms(tuning.electionTimeoutMinMs()));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, tuning.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setCreationGap(p,
                Math.min(1024, tuning.snapshotThreshold()));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        // Purge the log up to the snapshot even when a follower still needs older entries: a
        // follower that fell that far behind catches up by installing the snapshot instead, so a
        // dead member cannot make the log grow without bound.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, tuning.snapshotThreshold()));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p,
                SizeInBytes.valueOf(tuning.logSegmentBytes()));
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, !tuning.fsync());
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
        // Latency (docs/PERFORMANCE.md, from reading the 3.3.0 write path): no commit-index
        // metadata entry after every commit (it doubled the entries, appends and fsyncs per
        // write; it only speeds up recovery, and the leader tells a restarted node its commit
        // index anyway); a follower appends on the stream's thread instead of composing an
        // async chain (ordered by gRPC's one-message-at-a-time delivery; it still replies only
        // after its fsync); and no minimum wait between two sends to a follower.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
        return p;
    }

    private static RaftProperties clientProperties() {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(3000));
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, 1000);
        return p;
    }

    private static TimeDuration ms(long millis) {
        return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
    }

    public void start() throws IOException {
        server.start();
        submission = new Submission(division(), entryClient.getClientRpc(), () -> {
            try {
                return division().getRaftConf().getCurrentPeers();
            } catch (IOException e) {
                return group.getPeers();
            }
        }, sender);
    }

    public TaskStateMachine stateMachine() {
        return stateMachine;
    }

    public ClusterConfig config() {
        return config;
    }

    public RaftPeerId selfId() {
        return selfId;
    }

    public RaftServer.Division division() throws IOException {
        return server.getDivision(group.getGroupId());
    }

    /**
     * Proposes a command through the leader and returns what applying it did. Requests that
     * arrive together share a log entry ({@link Proposer}).
     *
     * @throws Unavailable (in the future) when no leader could take it in time
     */
    public CompletableFuture<Outcome> submit(String idempotencyKey, Command command) {
        return proposer.propose(new Proposal(idempotencyKey, command));
    }

    /** Sends one encoded batch to the leader; completes with the encoded outcomes. */
    private CompletableFuture<byte[]> sendEntry(byte[] batch) {
        Submission path = submission;
        if (path == null) {
            return CompletableFuture.failedFuture(new Unavailable("this node is starting",
                    null));
        }
        return path.send(Message.valueOf(UnsafeByteOperations.unsafeWrap(batch)));
    }

    /**
     * Completes once this node has applied everything committed when it was called (Raft §8
     * read index, asked of the leader by the local server), so a local read after it is
     * linearizable.
     */
    public CompletableFuture<Void> readBarrier() {
        return readClient.async().sendReadOnlyUnordered(Message.EMPTY, selfId)
                .handle((reply, error) -> {
                    checkReply(reply, error);
                    return null;
                });
    }

    /**
     * Adds a member: the Raft configuration first (the new node, started with {@code join},
     * then catches up from the leader), then its addresses in the replicated state.
     */
    public CompletableFuture<Outcome> addMember(String id, String raftAddress,
                                                String httpAddress) {
        return CompletableFuture.supplyAsync(() -> {
            RaftPeer peer = RaftPeer.newBuilder().setId(id).setAddress(raftAddress).build();
            try {
                checkReply(readClient.admin().setConfiguration(
                        SetConfigurationRequest.Arguments.newBuilder()
                                .setServersInNewConf(List.of(peer))
                                .setMode(SetConfigurationRequest.Mode.ADD).build()), null);
            } catch (IOException e) {
                throw new Unavailable("member " + id + " was not added: " + e.getMessage(), e);
            }
            return null;
        }).thenCompose(v -> submit(null, new Command.SetMember(id, raftAddress, httpAddress)));
    }

    /**
     * Removes a member from the Raft configuration, then forgets its addresses; the second
     * step is remembered under {@code idempotencyKey} (may be null), so that a retry can tell
     * the removal went through.
     */
    public CompletableFuture<Outcome> removeMember(String id, String idempotencyKey) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                List<RaftPeer> remaining = new ArrayList<>();
                for (RaftPeer p : division().getRaftConf().getCurrentPeers()) {
                    if (!p.getId().toString().equals(id)) {
                        remaining.add(p);
                    }
                }
                checkReply(readClient.admin().setConfiguration(remaining), null);
            } catch (IOException e) {
                throw new Unavailable("member " + id + " was not removed: " + e.getMessage(),
                        e);
            }
            return null;
        }).thenCompose(v -> submit(idempotencyKey, new Command.RemoveMember(id)));
    }

    /** Takes a snapshot of this node's state now; completes with its log index. */
    public CompletableFuture<Long> snapshot() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                RaftClientReply reply = readClient.getSnapshotManagementApi(selfId)
                        .create(true, ADMIN_TIMEOUT_MS);
                checkReply(reply, null);
                return reply.getLogIndex();
            } catch (IOException e) {
                throw new Unavailable("the snapshot could not be taken: " + e.getMessage(), e);
            }
        });
    }

    /** Moves leadership to {@code id}; completes when it has moved. */
    public CompletableFuture<Void> transferLeadership(String id) {
        return CompletableFuture.runAsync(() -> {
            try {
                checkReply(readClient.admin().transferLeadership(RaftPeerId.valueOf(id),
                        ADMIN_TIMEOUT_MS), null);
            } catch (IOException e) {
                throw new Unavailable("leadership did not move to " + id + ": "
                        + e.getMessage(), e);
            }
        });
    }

    private static final long ADMIN_TIMEOUT_MS = 30_000;

    private static void checkReply(RaftClientReply reply, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause == null && reply != null && !reply.isSuccess()) {
            cause = reply.getException();
        }
        if (cause != null || reply == null) {
            throw new Unavailable(Unavailable.NO_LEADER, cause);
        }
    }

    @Override
    public void close() throws IOException {
        readClient.close();
        Submission path = submission;
        if (path != null) {
            path.close();
        }
        entryClient.close();
        server.close();
        sender.shutdown();
    }
}
