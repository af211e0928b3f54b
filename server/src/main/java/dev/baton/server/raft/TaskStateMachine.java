package dev.baton.server.raft;

import dev.baton.core.Codec;
import dev.baton.core.Entry;
import dev.baton.core.Outcome;
import dev.baton.core.TaskMachine;
import dev.baton.core.TaskReader;
import dev.baton.server.storage.PrimitiveHashIndex;
import dev.baton.server.storage.SnapshotFile;
import dev.baton.server.storage.TieredStore;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine: thin glue between the replicated log and the core's
 * {@link TaskMachine}.
 *
 * <ul>
 *   <li><b>Time enters here</b>, in {@link #startTransaction}, which runs on the leader only: the
 *       leader's wall clock is prepended to the request bytes, so every replica applies the same
 *       stamp. The core clamps it ({@code now = max(previous, stamp)}), since stamps taken
 *       concurrently are not ordered by log index.</li>
 *   <li><b>State</b> lives in a {@link TieredStore} (heap and MapDB), rebuilt from the latest
 *       snapshot whenever the machine (re)initializes; Ratis then replays the log after the
 *       snapshot's index.</li>
 *   <li><b>Threads</b>: Ratis applies entries on one thread; HTTP threads read concurrently.
 *       One read-write lock keeps readers from seeing half an entry.</li>
 * </ul>
 */
public final class TaskStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(TaskStateMachine.class);

    /** Told when this node becomes a ready leader and when it stops being one. */
    public interface LeadershipListener {
        void leaderReady();

        void leadershipLost();
    }

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Path workingFile;
    private final long idempotencyKeysMax;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Collection<LeadershipListener> leadershipListeners =
            new CopyOnWriteArrayList<>();
    private final Collection<Runnable> appliedListeners = new CopyOnWriteArrayList<>();

    // Guarded by lock; null while paused.
    private TieredStore store;
    private TaskMachine machine;
    private TaskReader reader;

    /**
     * @param workingFile where the MapDB working store lives; outside Ratis's own directories,
     *                    because installing a snapshot replaces the state machine directory
     */
    public TaskStateMachine(Path workingFile, long idempotencyKeysMax) {
        this.workingFile = workingFile;
        this.idempotencyKeysMax = idempotencyKeysMax;
    }

    public void addLeadershipListener(LeadershipListener listener) {
        leadershipListeners.add(listener);
    }

    /** Runs after every applied entry, on the applying thread: keep it short. */
    public void addAppliedListener(Runnable listener) {
        appliedListeners.add(listener);
    }

    // ----- life cycle -----

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
            throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadLatestSnapshot, IOException.class);
    }

    /** Closes the store before Ratis installs a snapshot from the leader (pitfall P1). */
    @Override
    public void pause() {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
            lifeCycle.transition(LifeCycle.State.PAUSING);
            closeStore();
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    /** Reloads from the newly installed snapshot (RATIS-2111: it must re-read the latest). */
    @Override
    public void reinitialize() throws IOException {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() != LifeCycle.State.PAUSED) {
            return;
        }
        lifeCycle.transition(LifeCycle.State.STARTING);
        loadLatestSnapshot();
        lifeCycle.transition(LifeCycle.State.RUNNING);
    }

    @Override
    public void close() throws IOException {
        closeStore();
        super.close();
    }

    private void loadLatestSnapshot() throws IOException {
        lock.writeLock().lock();
        try {
            if (store != null) {
                store.close();
                store = null;
            }
            long started = System.nanoTime();
            SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
            if (snapshot == null) {
                store = TieredStore.createEmpty(workingFile);
            } else {
                Path file = snapshot.getFile().getPath();
                TieredStore.Loaded loaded = TieredStore.load(workingFile, file);
                store = loaded.store();
                SnapshotFile.Position at = loaded.at();
                if (at.index() != snapshot.getIndex() || at.term() != snapshot.getTerm()) {
                    throw new IOException(file + " claims (" + at.term() + ", " + at.index()
                            + ") inside but its name says " + snapshot.getTermIndex());
                }
                setLastAppliedTermIndex(snapshot.getTermIndex());
                LOG.info("loaded snapshot {} ({} entries) in {} ms", snapshot.getTermIndex(),
                        store.size(), (System.nanoTime() - started) / 1_000_000);
            }
            machine = new TaskMachine(store, new PrimitiveHashIndex(), idempotencyKeysMax);
            reader = machine.reader();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void closeStore() {
        lock.writeLock().lock();
        try {
            if (store != null) {
                store.close();
            }
            store = null;
            machine = null;
            reader = null;
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ----- the log -----

    /** Runs on the leader only: stamps the leader's clock into the entry. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) {
        ByteString stamped = ByteString.copyFrom(
                        ByteBuffer.allocate(Long.BYTES).putLong(0, System.currentTimeMillis()))
                .concat(request.getMessage().getContent());
        return TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(stamped)
                .build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        List<Entry> requests = Codec.decodeEntries(
                entry.getStateMachineLogEntry().getLogData().toByteArray());
        List<Outcome> outcomes;
        lock.writeLock().lock();
        try {
            outcomes = machine.applyAll(entry.getIndex(), requests);
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        } finally {
            lock.writeLock().unlock();
        }
        appliedListeners.forEach(Runnable::run);
        return CompletableFuture.completedFuture(Message.valueOf(
                UnsafeByteOperations.unsafeWrap(Codec.encodeOutcomes(outcomes))));
    }

    /**
     * A linearizable read in Baton is a read-index barrier followed by a local read, so the
     * query itself carries nothing: by the time Ratis calls this, the barrier is passed.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    /**
     * Reads the local state under the read lock.
     *
     * @throws NotServingException while a snapshot is being installed
     */
    public <T> T read(Function<TaskReader, T> query) {
        lock.readLock().lock();
        try {
            if (reader == null) {
                throw new NotServingException("the state machine is loading a snapshot");
            }
            return query.apply(reader);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * A SHA-256 over every stored key and value, in key order: equal on two replicas exactly
     * when they hold the same state (a consistency check in the spirit of etcd's HashKV).
     */
    public String stateDigest() {
        lock.readLock().lock();
        try {
            if (store == null) {
                throw new NotServingException("the state machine is loading a snapshot");
            }
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            var it = store.all();
            while (it.hasNext()) {
                var e = it.next();
                sha.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(e.getValue());
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ----- snapshots -----

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /**
     * Writes the whole store to {@code snapshot.TERM_INDEX}. Ratis calls this on the applying
     * thread, so no entry is applied while it runs and the file is a consistent cut.
     */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() == RaftLog.INVALID_LOG_INDEX) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        lock.readLock().lock();
        try {
            SnapshotFile.write(file.toPath(),
                    new SnapshotFile.Position(last.getTerm(), last.getIndex()), store.all());
        } finally {
            lock.readLock().unlock();
        }
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5),
                last));
        LOG.info("took snapshot at {}", last);
        return last.getIndex();
    }

    // ----- leadership -----

    @Override
    public void notifyLeaderReady() {
        leadershipListeners.forEach(LeadershipListener::leaderReady);
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
        leadershipListeners.forEach(LeadershipListener::leadershipLost);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        if (!groupMemberId.getPeerId().equals(newLeaderId)) {
            leadershipListeners.forEach(LeadershipListener::leadershipLost);
        }
    }

    /** The state machine cannot answer right now (a snapshot is being installed). */
    public static final class NotServingException extends RuntimeException {
        NotServingException(String message) {
            super(message);
        }
    }
}
