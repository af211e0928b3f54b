package dev.baton.core;

import dev.baton.core.Outcome.Rejected;
import dev.baton.core.model.EventType;
import dev.baton.core.model.Progress;
import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Session;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskRef;
import dev.baton.core.model.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The canonical binary form of everything the core stores or logs. Equal values encode to equal
 * bytes (collections are written in order, maps sorted), which is what makes snapshots of two
 * replicas comparable byte for byte.
 *
 * <p>Every value starts with a format byte, and commands and outcomes with a type tag from the
 * tables below. Tags are never reused: a new command gets a new tag, so an old log still reads.
 */
public final class Codec {
    private Codec() {
    }

    private static final int FORMAT = 1;
    /** A log entry that carries several requests, and the list of their outcomes. */
    private static final int BATCH_FORMAT = 2;

    // Command tags: append only.
    private static final int CREATE_TASK = 1;
    private static final int UPDATE_TASK = 2;
    private static final int DELETE_TASK = 3;
    private static final int TICK = 4;
    private static final int CLAIM_TASK = 5;
    private static final int CLAIM_NEXT = 6;
    private static final int REPORT_PROGRESS = 7;
    private static final int COMPLETE_TASK = 8;
    private static final int FAIL_TASK = 9;
    private static final int RELEASE_TASK = 10;
    private static final int HAND_OFF = 11;
    private static final int PULSE = 12;
    private static final int LEAVE_AGENT = 13;
    private static final int EXPIRE_SESSIONS = 14;
    private static final int STALL_TASKS = 15;
    private static final int SET_MEMBER = 16;
    private static final int REMOVE_MEMBER = 17;

    // Outcome tags: append only.
    private static final int TASK_CREATED = 1;
    private static final int TASK_FOUND = 2;
    private static final int TASK_UPDATED = 3;
    private static final int TASK_DELETED = 4;
    private static final int TICKED = 5;
    private static final int REJECTED = 6;
    private static final int CLAIMED = 7;
    private static final int CLAIMED_MANY = 8;
    private static final int PULSED = 9;
    private static final int AGENT_LEFT = 10;
    private static final int SESSIONS_EXPIRED = 11;
    private static final int TASKS_STALLED = 12;
    private static final int MEMBERS_CHANGED = 13;

    // ----- log entries -----

    /**
     * One request in format 1, what nodes proposed before group commit: a log written then
     * must still read ({@link #decodeEntries}), and tests write such entries with this.
     */
    public static byte[] encodeRequest(String idempotencyKey, Command command) {
        ByteWriter w = new ByteWriter(128).u8(FORMAT).str(idempotencyKey);
        writeCommand(w, command);
        return w.toByteArray();
    }

    /**
     * What a node proposes when it groups requests into one log entry: each request's
     * idempotency key and command, in the order they are to be applied.
     */
    public static byte[] encodeBatch(List<Proposal> proposals) {
        List<byte[]> encoded = new ArrayList<>(proposals.size());
        proposals.forEach(p -> encoded.add(encodeProposal(p)));
        return encodeBatchOf(encoded);
    }

    /** One request of a batch, encoded once by the node that queues it. */
    public static byte[] encodeProposal(Proposal p) {
        ByteWriter w = new ByteWriter(128).str(p.idempotencyKey());
        writeCommand(w, p.command());
        return w.toByteArray();
    }

    /** A batch of requests already encoded by {@link #encodeProposal}, in order. */
    public static byte[] encodeBatchOf(List<byte[]> proposals) {
        int bytes = 5;
        for (byte[] p : proposals) {
            bytes += p.length;
        }
        ByteWriter w = new ByteWriter(bytes).u8(BATCH_FORMAT).i32(proposals.size());
        proposals.forEach(w::raw);
        return w.toByteArray();
    }

    /**
     * Reads a stamped log entry: one request ({@link #encodeRequest}) or a batch
     * ({@link #encodeBatch}), every request with the leader's one time stamp.
     */
    public static List<Entry> decodeEntries(byte[] stamped) {
        ByteReader r = new ByteReader(stamped);
        long leaderTimeMs = r.i64();
        int format = r.u8();
        Check.state(format == FORMAT || format == BATCH_FORMAT, "unknown entry format");
        int n = format == FORMAT ? 1 : r.i32();
        Check.state(n >= 1 && n <= Limits.BATCH_MAX, "a batch of " + n + " requests");
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String key = r.str();
            entries.add(new Entry(leaderTimeMs, key, readCommand(r)));
        }
        Check.state(r.atEnd(), "trailing bytes after a command");
        return entries;
    }

    /** The request bytes the machine fingerprints for idempotency (the entry minus its stamp). */
    public static byte[] encodeCommand(Command command) {
        ByteWriter w = new ByteWriter(128);
        writeCommand(w, command);
        return w.toByteArray();
    }

    private static void writeCommand(ByteWriter w, Command command) {
        if (command instanceof Command.CreateTask c) {
            w.u8(CREATE_TASK).str(c.queue()).str(c.subject()).str(c.description())
                    .str(c.activeForm()).i32(c.priority());
            writeLongs(w, c.blockedBy());
            writeStrings(w, c.resources());
            writeStrings(w, c.requires());
            writeMap(w, c.labels());
            w.str(c.key()).optI32(c.maxAttempts()).optI64(c.stallMs()).optI64(c.notBeforeMs())
                    .optI64(c.delayMs());
        } else if (command instanceof Command.UpdateTask u) {
            w.u8(UPDATE_TASK).str(u.queue()).i64(u.id()).str(u.subject()).str(u.description())
                    .str(u.activeForm()).optI32(u.priority()).bool(u.labels() != null);
            if (u.labels() != null) {
                writeMap(w, u.labels());
            }
            w.bool(u.resources() != null);
            if (u.resources() != null) {
                writeStrings(w, u.resources());
            }
            w.optI32(u.maxAttempts()).optI64(u.notBeforeMs()).bool(u.clearNotBefore());
            writeLongs(w, u.addBlockedBy());
            writeLongs(w, u.removeBlockedBy());
        } else if (command instanceof Command.DeleteTask d) {
            w.u8(DELETE_TASK).str(d.queue()).i64(d.id());
        } else if (command instanceof Command.Tick) {
            w.u8(TICK);
        } else {
            writeClaimCommand(w, command);
        }
    }

    private static void writeClaimCommand(ByteWriter w, Command command) {
        if (command instanceof Command.ClaimTask c) {
            w.u8(CLAIM_TASK).str(c.queue()).i64(c.id()).str(c.agent()).i64(c.sessionTtlMs());
        } else if (command instanceof Command.ClaimNext c) {
            w.u8(CLAIM_NEXT).str(c.queue()).str(c.agent()).i32(c.count());
            writeStrings(w, c.capabilities());
            writeMap(w, c.labels());
            w.i64(c.sessionTtlMs());
        } else if (command instanceof Command.ReportProgress c) {
            w.u8(REPORT_PROGRESS).str(c.queue()).i64(c.id()).i64(c.token()).str(c.note())
                    .optI32(c.percent());
        } else if (command instanceof Command.CompleteTask c) {
            w.u8(COMPLETE_TASK).str(c.queue()).i64(c.id()).i64(c.token()).str(c.result());
        } else if (command instanceof Command.FailTask c) {
            w.u8(FAIL_TASK).str(c.queue()).i64(c.id()).i64(c.token()).str(c.reason())
                    .bool(c.retry()).optI64(c.retryDelayMs());
        } else if (command instanceof Command.ReleaseTask c) {
            w.u8(RELEASE_TASK).str(c.queue()).i64(c.id()).i64(c.token());
        } else if (command instanceof Command.HandOff c) {
            w.u8(HAND_OFF).str(c.queue()).i64(c.id()).i64(c.token()).str(c.to()).str(c.note());
        } else if (command instanceof Command.Pulse c) {
            w.u8(PULSE).str(c.agent()).i64(c.ttlMs());
        } else if (command instanceof Command.LeaveAgent c) {
            w.u8(LEAVE_AGENT).str(c.agent());
        } else if (command instanceof Command.ExpireSessions c) {
            w.u8(EXPIRE_SESSIONS).i32(c.sessions().size());
            c.sessions().forEach(d -> w.str(d.agent()).i64(d.renewals()));
        } else if (command instanceof Command.StallTasks c) {
            w.u8(STALL_TASKS).i32(c.tasks().size());
            c.tasks().forEach(d -> w.str(d.queue()).i64(d.id()).i64(d.token()));
        } else if (command instanceof Command.SetMember c) {
            w.u8(SET_MEMBER).str(c.id()).str(c.raftAddress()).str(c.httpAddress());
        } else if (command instanceof Command.RemoveMember c) {
            w.u8(REMOVE_MEMBER).str(c.id());
        } else {
            throw new AssertionError("no tag for " + command);
        }
    }

    private static Command readCommand(ByteReader r) {
        int tag = r.u8();
        switch (tag) {
            case CREATE_TASK:
                return new Command.CreateTask(r.str(), r.str(), r.str(), r.str(), r.i32(),
                        readLongs(r), readStrings(r), readStrings(r), readMap(r), r.str(),
                        r.optI32(), r.optI64(), r.optI64(), r.optI64());
            case UPDATE_TASK: {
                String queue = r.str();
                long id = r.i64();
                String subject = r.str();
                String description = r.str();
                String activeForm = r.str();
                Integer priority = r.optI32();
                SortedMap<String, String> labels = r.bool() ? readMap(r) : null;
                List<String> resources = r.bool() ? readStrings(r) : null;
                return new Command.UpdateTask(queue, id, subject, description, activeForm,
                        priority, labels, resources, r.optI32(), r.optI64(), r.bool(),
                        readLongs(r), readLongs(r));
            }
            case DELETE_TASK:
                return new Command.DeleteTask(r.str(), r.i64());
            case TICK:
                return new Command.Tick();
            default:
                return readClaimCommand(tag, r);
        }
    }

    private static Command readClaimCommand(int tag, ByteReader r) {
        switch (tag) {
            case CLAIM_TASK:
                return new Command.ClaimTask(r.str(), r.i64(), r.str(), r.i64());
            case CLAIM_NEXT:
                return new Command.ClaimNext(r.str(), r.str(), r.i32(), readStrings(r),
                        readMap(r), r.i64());
            case REPORT_PROGRESS:
                return new Command.ReportProgress(r.str(), r.i64(), r.i64(), r.str(),
                        r.optI32());
            case COMPLETE_TASK:
                return new Command.CompleteTask(r.str(), r.i64(), r.i64(), r.str());
            case FAIL_TASK:
                return new Command.FailTask(r.str(), r.i64(), r.i64(), r.str(), r.bool(),
                        r.optI64());
            case RELEASE_TASK:
                return new Command.ReleaseTask(r.str(), r.i64(), r.i64());
            case HAND_OFF:
                return new Command.HandOff(r.str(), r.i64(), r.i64(), r.str(), r.str());
            case PULSE:
                return new Command.Pulse(r.str(), r.i64());
            case LEAVE_AGENT:
                return new Command.LeaveAgent(r.str());
            case EXPIRE_SESSIONS: {
                int n = r.i32();
                List<Command.SessionDue> due = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    due.add(new Command.SessionDue(r.str(), r.i64()));
                }
                return new Command.ExpireSessions(due);
            }
            case STALL_TASKS: {
                int n = r.i32();
                List<Command.TaskDue> due = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    due.add(new Command.TaskDue(r.str(), r.i64(), r.i64()));
                }
                return new Command.StallTasks(due);
            }
            case SET_MEMBER:
                return new Command.SetMember(r.str(), r.str(), r.str());
            case REMOVE_MEMBER:
                return new Command.RemoveMember(r.str());
            default:
                throw new IllegalStateException("unknown command tag " + tag);
        }
    }

    // ----- outcomes -----

    public static byte[] encodeOutcome(Outcome outcome) {
        ByteWriter w = new ByteWriter(256).u8(FORMAT);
        if (outcome instanceof Outcome.TaskCreated o) {
            writeTask(w.u8(TASK_CREATED), o.task());
        } else if (outcome instanceof Outcome.TaskFound o) {
            writeTask(w.u8(TASK_FOUND), o.task());
        } else if (outcome instanceof Outcome.TaskUpdated o) {
            writeTask(w.u8(TASK_UPDATED), o.task());
        } else if (outcome instanceof Outcome.TaskDeleted o) {
            writeTask(w.u8(TASK_DELETED), o.task());
        } else if (outcome instanceof Outcome.Ticked) {
            w.u8(TICKED);
        } else if (outcome instanceof Rejected o) {
            w.u8(REJECTED).str(o.code().wireName()).str(o.message()).i32(o.details().size());
            o.details().forEach((k, v) -> writeDetail(w.str(k), v));
        } else if (outcome instanceof Outcome.Claimed o) {
            writeClaimed(w.u8(CLAIMED), o);
        } else if (outcome instanceof Outcome.ClaimedMany o) {
            w.u8(CLAIMED_MANY).i32(o.claims().size());
            o.claims().forEach(c -> writeClaimed(w, c));
        } else if (outcome instanceof Outcome.Pulsed o) {
            writeSession(w.u8(PULSED), o.session());
            w.bool(o.revived());
        } else if (outcome instanceof Outcome.AgentLeft o) {
            writeSession(w.u8(AGENT_LEFT), o.session());
        } else if (outcome instanceof Outcome.SessionsExpired o) {
            writeStrings(w.u8(SESSIONS_EXPIRED), o.agents());
        } else if (outcome instanceof Outcome.TasksStalled o) {
            w.u8(TASKS_STALLED).i32(o.tasks().size());
            o.tasks().forEach(t -> w.str(t.queue()).i64(t.id()));
        } else if (outcome instanceof Outcome.MembersChanged o) {
            w.u8(MEMBERS_CHANGED).i32(o.members().size());
            o.members().forEach(mb -> writeMember(w, mb));
        } else {
            throw new AssertionError("no tag for " + outcome);
        }
        return w.toByteArray();
    }

    /** The outcomes of a batch, in the order of its requests. */
    public static byte[] encodeOutcomes(List<Outcome> outcomes) {
        ByteWriter w = new ByteWriter(256 * outcomes.size()).u8(BATCH_FORMAT)
                .i32(outcomes.size());
        outcomes.forEach(o -> w.blob(encodeOutcome(o)));
        return w.toByteArray();
    }

    public static List<Outcome> decodeOutcomes(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        Check.state(r.u8() == BATCH_FORMAT, "unknown outcomes format");
        int n = r.i32();
        List<Outcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outcomes.add(decodeOutcome(r.blob()));
        }
        Check.state(r.atEnd(), "trailing bytes after the outcomes");
        return outcomes;
    }

    public static Outcome decodeOutcome(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        Check.state(r.u8() == FORMAT, "unknown outcome format");
        int tag = r.u8();
        switch (tag) {
            case TASK_CREATED:
                return new Outcome.TaskCreated(readTask(r));
            case TASK_FOUND:
                return new Outcome.TaskFound(readTask(r));
            case TASK_UPDATED:
                return new Outcome.TaskUpdated(readTask(r));
            case TASK_DELETED:
                return new Outcome.TaskDeleted(readTask(r));
            case TICKED:
                return new Outcome.Ticked();
            case REJECTED: {
                String code = r.str();
                String message = r.str();
                int n = r.i32();
                Map<String, Object> details = new TreeMap<>();
                for (int i = 0; i < n; i++) {
                    details.put(r.str(), readDetail(r));
                }
                return new Rejected(rejection(code), message, details);
            }
            case CLAIMED:
                return readClaimed(r);
            case CLAIMED_MANY: {
                int n = r.i32();
                List<Outcome.Claimed> claims = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    claims.add(readClaimed(r));
                }
                return new Outcome.ClaimedMany(claims);
            }
            case PULSED:
                return new Outcome.Pulsed(readSession(r), r.bool());
            case AGENT_LEFT:
                return new Outcome.AgentLeft(readSession(r));
            case SESSIONS_EXPIRED:
                return new Outcome.SessionsExpired(readStrings(r));
            case TASKS_STALLED: {
                int n = r.i32();
                List<TaskRef> tasks = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    tasks.add(new TaskRef(r.str(), r.i64()));
                }
                return new Outcome.TasksStalled(tasks);
            }
            case MEMBERS_CHANGED: {
                int n = r.i32();
                List<Outcome.Member> members = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    members.add(readMember(r));
                }
                return new Outcome.MembersChanged(members);
            }
            default:
                throw new IllegalStateException("unknown outcome tag " + tag);
        }
    }

    static byte[] encodeMember(Outcome.Member m) {
        ByteWriter w = new ByteWriter(64).u8(FORMAT);
        writeMember(w, m);
        return w.toByteArray();
    }

    static Outcome.Member decodeMember(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        Check.state(r.u8() == FORMAT, "unknown member format");
        return readMember(r);
    }

    private static void writeMember(ByteWriter w, Outcome.Member m) {
        w.str(m.id()).str(m.raftAddress()).str(m.httpAddress());
    }

    private static Outcome.Member readMember(ByteReader r) {
        return new Outcome.Member(r.str(), r.str(), r.str());
    }

    private static void writeClaimed(ByteWriter w, Outcome.Claimed c) {
        writeTask(w, c.task());
        w.i64(c.token()).bool(c.reclaimed());
    }

    private static Outcome.Claimed readClaimed(ByteReader r) {
        return new Outcome.Claimed(readTask(r), r.i64(), r.bool());
    }

    public static byte[] encodeSession(Session s) {
        ByteWriter w = new ByteWriter(64).u8(FORMAT);
        writeSession(w, s);
        return w.toByteArray();
    }

    public static Session decodeSession(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        Check.state(r.u8() == FORMAT, "unknown session format");
        return readSession(r);
    }

    private static void writeSession(ByteWriter w, Session s) {
        w.str(s.agent()).i64(s.ttlMs()).i64(s.expiresAtMs()).i64(s.renewals())
                .i32(s.claims().size());
        s.claims().forEach(c -> w.str(c.queue()).i64(c.id()).i64(c.token()));
    }

    private static Session readSession(ByteReader r) {
        String agent = r.str();
        long ttlMs = r.i64();
        long expiresAtMs = r.i64();
        long renewals = r.i64();
        int n = r.i32();
        List<Session.Claim> claims = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            claims.add(new Session.Claim(r.str(), r.i64(), r.i64()));
        }
        return new Session(agent, ttlMs, expiresAtMs, renewals, claims);
    }

    private static Rejection rejection(String wireName) {
        for (Rejection r : Rejection.values()) {
            if (r.wireName().equals(wireName)) {
                return r;
            }
        }
        throw new IllegalStateException("unknown rejection " + wireName);
    }

    private static void writeDetail(ByteWriter w, Object v) {
        if (v instanceof String s) {
            w.u8(1).str(s);
        } else if (v instanceof Long l) {
            w.u8(2).i64(l);
        } else if (v instanceof List<?> list) {
            w.u8(3).i32(list.size());
            list.forEach(item -> writeDetail(w, item));
        } else {
            throw new IllegalArgumentException("detail values are strings, longs or lists: " + v);
        }
    }

    private static Object readDetail(ByteReader r) {
        int kind = r.u8();
        switch (kind) {
            case 1:
                return r.str();
            case 2:
                return r.i64();
            case 3: {
                int n = r.i32();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(readDetail(r));
                }
                return List.copyOf(list);
            }
            default:
                throw new IllegalStateException("unknown detail kind " + kind);
        }
    }

    // ----- stored values -----

    public static byte[] encodeTask(Task t) {
        ByteWriter w = new ByteWriter(256).u8(FORMAT);
        writeTask(w, t);
        return w.toByteArray();
    }

    public static Task decodeTask(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        Check.state(r.u8() == FORMAT, "unknown task format");
        return readTask(r);
    }

    private static void writeTask(ByteWriter w, Task t) {
        w.str(t.queue()).i64(t.id()).str(t.subject()).str(t.description()).str(t.activeForm())
                .u8(t.status().ordinal()).str(t.owner()).optI64(t.token()).i32(t.priority());
        writeLongs(w, t.blockedBy());
        writeLongs(w, t.blocks());
        writeStrings(w, t.resources());
        writeStrings(w, t.requires());
        writeMap(w, t.labels());
        w.str(t.key()).i32(t.attempts()).i32(t.maxAttempts()).optI64(t.stallMs())
                .optI64(t.notBeforeMs()).bool(t.progress() != null);
        if (t.progress() != null) {
            w.str(t.progress().note()).optI32(t.progress().percent()).i64(t.progress().atMs());
        }
        w.str(t.result()).str(t.failure()).i64(t.createdAtMs()).i64(t.updatedAtMs())
                .optI64(t.claimedAtMs()).optI64(t.completedAtMs()).optI64(t.lastActivityMs())
                .i64(t.eventCount());
    }

    private static Task readTask(ByteReader r) {
        Task.Builder b = new Task.Builder();
        b.queue = r.str();
        b.id = r.i64();
        b.subject = r.str();
        b.description = r.str();
        b.activeForm = r.str();
        b.status = TaskStatus.values()[r.u8()];
        b.owner = r.str();
        b.token = r.optI64();
        b.priority = r.i32();
        b.blockedBy = readLongs(r);
        b.blocks = readLongs(r);
        b.resources = readStrings(r);
        b.requires = readStrings(r);
        b.labels = readMap(r);
        b.key = r.str();
        b.attempts = r.i32();
        b.maxAttempts = r.i32();
        b.stallMs = r.optI64();
        b.notBeforeMs = r.optI64();
        b.progress = r.bool() ? new Progress(r.str(), r.optI32(), r.i64()) : null;
        b.result = r.str();
        b.failure = r.str();
        b.createdAtMs = r.i64();
        b.updatedAtMs = r.i64();
        b.claimedAtMs = r.optI64();
        b.completedAtMs = r.optI64();
        b.lastActivityMs = r.optI64();
        b.eventCount = r.i64();
        return b.build();
    }

    public static byte[] encodeEvent(TaskEvent e) {
        ByteWriter w = new ByteWriter(64).u8(FORMAT).i64(e.index()).i64(e.atMs())
                .u8(e.type().ordinal()).str(e.agent()).optI64(e.token()).str(e.reason());
        writeStrings(w, e.fields());
        return w.toByteArray();
    }

    public static TaskEvent decodeEvent(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        Check.state(r.u8() == FORMAT, "unknown event format");
        return new TaskEvent(r.i64(), r.i64(), EventType.values()[r.u8()], r.str(), r.optI64(),
                r.str(), readStrings(r));
    }

    /** A stream event: the task it belongs to, then its encoded {@link TaskEvent}. */
    static byte[] encodeStreamEvent(String queue, long id, byte[] event) {
        return new ByteWriter(event.length + 32).u8(FORMAT).str(queue).i64(id).blob(event)
                .toByteArray();
    }

    public static StreamEvent decodeStreamEvent(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        Check.state(r.u8() == FORMAT, "unknown stream event format");
        return new StreamEvent(r.str(), r.i64(), decodeEvent(r.blob()));
    }

    /** One event of the events stream: a task's history event with the task it belongs to. */
    public record StreamEvent(String queue, long id, TaskEvent event) {
    }

    public static byte[] encodeQueue(QueueSummary q) {
        return new ByteWriter(64).u8(FORMAT).str(q.name()).i64(q.nextId()).i64(q.pending())
                .i64(q.ready()).i64(q.inProgress()).i64(q.completed()).i64(q.failed())
                .i64(q.deleted()).toByteArray();
    }

    public static QueueSummary decodeQueue(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        Check.state(r.u8() == FORMAT, "unknown queue format");
        return new QueueSummary(r.str(), r.i64(), r.i64(), r.i64(), r.i64(), r.i64(), r.i64(),
                r.i64());
    }

    public static byte[] encodeLong(long v) {
        return new ByteWriter(8).i64(v).toByteArray();
    }

    public static long decodeLong(byte[] bytes) {
        return new ByteReader(bytes).i64();
    }

    // ----- collections -----

    private static void writeLongs(ByteWriter w, List<Long> values) {
        w.i32(values.size());
        values.forEach(w::i64);
    }

    private static List<Long> readLongs(ByteReader r) {
        int n = r.i32();
        List<Long> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(r.i64());
        }
        return list;
    }

    private static void writeStrings(ByteWriter w, List<String> values) {
        w.i32(values.size());
        values.forEach(w::str);
    }

    private static List<String> readStrings(ByteReader r) {
        int n = r.i32();
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(r.str());
        }
        return list;
    }

    private static void writeMap(ByteWriter w, SortedMap<String, String> map) {
        w.i32(map.size());
        map.forEach((k, v) -> w.str(k).str(v));
    }

    private static SortedMap<String, String> readMap(ByteReader r) {
        int n = r.i32();
        SortedMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            map.put(r.str(), r.str());
        }
        return map;
    }
}
