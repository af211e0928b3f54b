package dev.baton.server.raft;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this node's entries reach the leader. On the node that leads, an entry goes straight to
 * its own {@link RaftServer}, not through a Ratis client and a gRPC connection to itself (that
 * loopback was two thread hand-offs and a protobuf round trip each way; docs/PERFORMANCE.md);
 * on a follower, to the leader it knows, over gRPC.
 *
 * <p>What a Ratis client would otherwise do is done here: the request has a client id and call
 * id of its own, and when it is refused (the leader stepped down, is stepping down or handing
 * over, or was never the leader) or its connection fails, the very same request, same ids,
 * goes to whoever leads now, until it is answered or {@link #DEADLINE_MS} passes. Not a Ratis
 * client, because an ordered async one answers a leader's "stepping down" to the caller
 * instead of trying the next leader, and once a request through it gives up, it fails every
 * later one too (its sliding window keeps the failure: RATIS-NOTES P8; a node that once went
 * four seconds without a leader then answered one write in four with 503, for good).
 *
 * <p>The ids are what make the resends safe: every member keeps a retry cache of the requests
 * it applied, by client and call id, and a new leader answers none until it has applied every
 * entry of earlier terms; so an entry the old leader had already replicated is answered from
 * the cache, not applied a second time, and one it had not is appended afresh. Not covered,
 * as with a Ratis client: a new leader that received the entry in a snapshot, or restarted
 * since, has no cache entry for it and would apply it again; a request with an
 * Idempotency-Key is still applied once (the machine's own table).
 *
 * <p>Replies complete on the thread that applied the entry; their answers are handed to
 * {@code answers}, so that answering HTTP requests never holds up the applying thread.
 */
final class Submission {
    private static final Logger LOG = LoggerFactory.getLogger(Submission.class);
    /**
     * How long an entry may take to find a leader: long enough to ride out an election, bounded
     * so that a request without a quorum fails (503) instead of hanging.
     */
    private static final long DEADLINE_MS = 4_000;
    private static final long RETRY_PAUSE_MS = 25;
    /** One attempt's limit, as a Ratis client's request timeout. */
    private static final long ATTEMPT_TIMEOUT_MS = 3_000;

    private final RaftServer.Division division;
    private final RaftGroupId groupId;
    private final RaftPeerId self;
    private final RaftClientRpc rpc;
    private final Supplier<Collection<RaftPeer>> peers;
    private final Executor answers;
    private final ClientId clientId = ClientId.randomId();
    /** Replaces failed gRPC proxies; a thread each, since closing one can block for seconds. */
    private final ExecutorService resets = Executors.newCachedThreadPool(
            new DefaultThreadFactory("baton-proxy-reset", true));
    private final AtomicLong callIds = new AtomicLong();

    /**
     * @param rpc     a Ratis client's transport, for the rare request that must go elsewhere
     *                (its own client's: a failed stream's proxy is replaced)
     * @param peers   the current members (a resend may go to any of them)
     * @param answers where replies are handled
     */
    Submission(RaftServer.Division division, RaftClientRpc rpc,
                    Supplier<Collection<RaftPeer>> peers, Executor answers) {
        this.division = division;
        this.groupId = division.getGroup().getGroupId();
        this.self = division.getId();
        this.rpc = rpc;
        this.peers = peers;
        this.answers = answers;
    }

    /** Whether this node leads now; only then should {@link #send} be used. */
    boolean leads() {
        return division.getInfo().isLeader();
    }

    /**
     * Proposes {@code entry} to this node's server if it leads, else to the leader it knows;
     * completes with the state machine's reply.
     */
    CompletableFuture<byte[]> send(Message entry) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        long call = callIds.incrementAndGet();
        attempt(entry, call, next(null, null, 0), System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS), answer, 0);
        return answer;
    }

    private void attempt(Message entry, long call, RaftPeerId to, long deadline,
                         CompletableFuture<byte[]> answer, int attempt) {
        if (attempt > 0 && System.nanoTime() > deadline) {
            // Not sent: a request that left now could be applied after its caller got 503.
            answer.completeExceptionally(new Unavailable(Unavailable.NO_LEADER, null));
            return;
        }
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(clientId).setServerId(to).setGroupId(groupId).setCallId(call)
                .setMessage(entry).setType(RaftClientRequest.writeRequestType()).build();
        CompletableFuture<RaftClientReply> reply;
        try {
            if (to.equals(self)) {
                reply = submitHere(request);
            } else {
                rpc.addRaftPeers(peers.get());
                reply = rpc.sendRequestAsyncUnordered(request);
            }
        } catch (IOException | RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        // Each attempt gives up at the deadline, so that an answer never waits for ever (and
        // the Proposer's slot with it). On a copy: the future may be Ratis's own.
        long remainingNanos = Math.max(deadline - System.nanoTime(), 1);
        reply.copy().orTimeout(Math.min(remainingNanos, TimeUnit.MILLISECONDS.toNanos(
                ATTEMPT_TIMEOUT_MS)), TimeUnit.NANOSECONDS).whenComplete((r, error) ->
                on(answers, answer, () -> answered(entry, call, to, deadline, answer, attempt,
                        r, error)));
    }

    /**
     * To this node's own server. Through the division itself where it takes client requests
     * (Ratis's implementation does): {@code RaftServer.submitClientRequestAsync} would hand
     * the request to Ratis's client pool and block this thread until it was taken.
     */
    private CompletableFuture<RaftClientReply> submitHere(RaftClientRequest request)
            throws IOException {
        if (division instanceof RaftClientAsynchronousProtocol direct) {
            return direct.submitClientRequestAsync(request);
        }
        return division.getRaftServer().submitClientRequestAsync(request);
    }

    private void answered(Message entry, long call, RaftPeerId to, long deadline,
                          CompletableFuture<byte[]> answer, int attempt, RaftClientReply r,
                          Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause == null && r.isSuccess()) {
            answer.complete(r.getMessage().getContent().toByteArray());
            return;
        }
        if (cause == null) {
            cause = r.getException() != null ? r.getException()
                    : new IllegalStateException("a reply that failed without saying why");
        }
        if (cause instanceof StateMachineException || cause instanceof GroupMismatchException
                || cause instanceof IllegalArgumentException || System.nanoTime() > deadline) {
            // The machine's own failure, or one that no other attempt could change.
            answer.completeExceptionally(new Unavailable(
                    Unavailable.NO_LEADER, cause));
            return;
        }
        if (!to.equals(self)) {
            // A refusal closes the gRPC stream it came on (Ratis fails the whole stream), and a
            // failed stream stays failed until its proxy is replaced. Replaced elsewhere:
            // closing the old channel waits up to 5 s for calls still open on it (an attempt
            // that timed out against a frozen leader), which this thread, the node's sender,
            // must not spend. The map takes the new proxy at once; an attempt that still meets
            // the old one fails and goes again.
            Throwable failure = cause;
            resets.execute(() -> rpc.handleException(to, failure, true));
        }
        RaftPeerId next = next(to, cause, attempt);
        LOG.debug("call {} refused by {} ({}); again at {}", call, to, cause.toString(), next);
        CompletableFuture.delayedExecutor(RETRY_PAUSE_MS, TimeUnit.MILLISECONDS).execute(() ->
                on(answers, answer, () -> attempt(entry, call, next, deadline, answer,
                        attempt + 1)));
    }

    /** Runs {@code step} on {@code executor}; a node that is stopping fails the answer. */
    private static void on(Executor executor, CompletableFuture<byte[]> answer, Runnable step) {
        try {
            executor.execute(step);
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(new Unavailable("this node is stopping", e));
        }
    }

    /** The leader a refusal names, else this node if it leads, else the members in turn. */
    private RaftPeerId next(RaftPeerId tried, Throwable cause, int attempt) {
        if (cause instanceof NotLeaderException nle && nle.getSuggestedLeader() != null
                && !nle.getSuggestedLeader().getId().equals(tried)) {
            return nle.getSuggestedLeader().getId();
        }
        if (leads()) {
            return self;
        }
        RaftPeerId leader = division.getInfo().getLeaderId();
        if (leader != null) {
            return leader; // Perhaps not ready yet: it answers once it has applied the past.
        }
        RaftPeer[] members = peers.get().toArray(RaftPeer[]::new);
        return members.length == 0 ? self : members[attempt % members.length].getId();
    }

    /** Lets the proxy resets under way finish; takes no new ones. */
    void close() {
        resets.shutdown();
    }
}
