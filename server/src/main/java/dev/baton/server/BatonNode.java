package dev.baton.server;

import dev.baton.config.ClusterConfig;
import dev.baton.server.http.HttpServer;
import dev.baton.server.raft.LeaderTicker;
import dev.baton.server.raft.RaftNode;
import java.io.IOException;

/** One running node: its Raft member, its leader ticker and its HTTP API. */
public final class BatonNode implements AutoCloseable {
    private final RaftNode raft;
    private final LeaderTicker ticker;
    private final HttpServer http;

    private BatonNode(RaftNode raft, LeaderTicker ticker, HttpServer http) {
        this.raft = raft;
        this.ticker = ticker;
        this.http = http;
    }

    public static BatonNode start(ClusterConfig config) throws IOException, InterruptedException {
        RaftNode raft = new RaftNode(config);
        LeaderTicker ticker = new LeaderTicker(raft, config.tuning().leaseGraceMs());
        raft.stateMachine().addLeadershipListener(ticker);
        raft.start();
        HttpServer http;
        try {
            http = HttpServer.start(config.self().http(), raft, config.tuning().leaseTtlMs());
        } catch (RuntimeException | InterruptedException e) {
            ticker.close();
            raft.close();
            throw e;
        }
        return new BatonNode(raft, ticker, http);
    }

    public RaftNode raft() {
        return raft;
    }

    public ClusterConfig config() {
        return raft.config();
    }

    /** Stops serving HTTP first, then leaves the Raft group; the log and snapshots stay. */
    @Override
    public void close() throws IOException {
        http.close();
        ticker.close();
        raft.close();
    }
}
