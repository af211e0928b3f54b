package dev.baton.client.cli;

import dev.baton.client.AgentSession;
import dev.baton.client.ClusterInfo;
import dev.baton.client.HeldClaim;
import dev.baton.client.PulseResult;
import dev.baton.client.QueueInfo;
import dev.baton.client.Task;
import dev.baton.client.TaskEvent;
import dev.baton.client.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The human lines of every command (docs/cli.md shows them all). One line per thing, with
 * {@code ·} between its parts; text from the server is kept to one line.
 */
final class Format {
    static final String OK = "✓";
    static final String NOT_OK = "✗";
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Format() {
    }

    /**
     * {@code task #41 · status pending}, exactly CLI.md's line, blocked or not (the list shows
     * what a task waits on; scripts may match this line as written).
     */
    static String created(Task t) {
        return "task #" + t.id() + " · status " + t.status().wireName();
    }

    /** {@code #2 [in_progress] Review auth module (owner: sec) [blocked by #1]}. */
    static String listLine(Task t) {
        StringBuilder b = new StringBuilder();
        b.append('#').append(t.id()).append(" [").append(t.status().wireName()).append("] ")
                .append(oneLine(t.subject()));
        if (t.owner() != null) {
            b.append(" (owner: ").append(t.owner()).append(')');
        }
        if (!t.blockedBy().isEmpty()) {
            b.append(" [blocked by ").append(ids(t.blockedBy())).append(']');
        }
        return b.toString();
    }

    /** {@code ✓ claimed #41 by agent:run_7a1 · token 1234 · lease 30s}. */
    static String claimed(Task t, long token, Duration lease, boolean reclaimed) {
        return OK + " claimed #" + t.id() + " by " + t.owner() + " · token " + token
                + (lease == null ? "" : " · lease " + Durations.format(lease))
                + (reclaimed ? " · already yours" : "");
    }

    static String completed(Task t) {
        return OK + " completed #" + t.id();
    }

    /**
     * {@code ✓ failed #41 · attempt 1 of 5 · pending again}, or {@code · status failed} once
     * no attempt remains or no retry was wanted.
     */
    static String failed(Task t, Duration retryDelay) {
        return OK + " failed #" + t.id() + attempt(t, retryDelay);
    }

    /** {@code run}'s line for a command that succeeded: {@code ✓ completed #41 · exit 0}. */
    static String completedRun(Task t) {
        return completed(t) + " · exit 0";
    }

    /**
     * {@code run}'s line for a command that failed:
     * {@code ✗ failed #41 · exit 3 · attempt 1 of 5 · pending again}.
     */
    static String failedRun(Task t, int exitCode) {
        return NOT_OK + " failed #" + t.id() + " · exit " + exitCode + attempt(t, null);
    }

    private static String attempt(Task t, Duration retryDelay) {
        String after = t.status() == TaskStatus.PENDING
                ? "pending again" + (retryDelay == null || retryDelay.isZero() ? ""
                : " in " + Durations.format(retryDelay))
                : "status " + t.status().wireName();
        return " · attempt " + t.attempts() + " of " + t.maxAttempts() + " · " + after;
    }

    static String released(Task t) {
        return OK + " released #" + t.id() + " · status " + t.status().wireName();
    }

    static String handedOff(Task t, long token) {
        return OK + " handed off #" + t.id() + " to " + t.owner() + " · token " + token;
    }

    static String updated(Task t) {
        return OK + " updated #" + t.id() + " · status " + t.status().wireName()
                + blockedSuffix(t);
    }

    static String deleted(Task t) {
        return OK + " deleted #" + t.id();
    }

    /** {@code ✓ pulse agent:a · lease 30s · holds default#41, work#2}. */
    static String pulse(PulseResult p) {
        return OK + " pulse " + p.agent() + " · lease " + Durations.format(
                Duration.ofMillis(p.ttlMs())) + " · " + holds(p.claims())
                + (p.revived() ? " · new session" : "");
    }

    /** {@code agent:a · lease 30s · expires in 21s · holds default#41}. */
    static String agent(AgentSession a, Instant now) {
        Duration left = a.expiresAt() == null ? null : Duration.between(now, a.expiresAt());
        String expires = left == null ? "" : left.isNegative() || left.isZero()
                ? " · lapsing now" : " · expires in " + Durations.approximate(left);
        return a.agent() + " · lease " + Durations.format(Duration.ofMillis(a.ttlMs()))
                + expires + " · " + holds(a.claims());
    }

    static List<String> queues(List<QueueInfo> queues) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"QUEUE", "PENDING", "READY", "IN_PROGRESS", "COMPLETED",
            "FAILED"});
        for (QueueInfo q : queues) {
            QueueInfo.Counts c = q.counts();
            rows.add(new String[] {q.name(), n(c.pending()), n(c.ready()), n(c.inProgress()),
                n(c.completed()), n(c.failed())});
        }
        return table(rows);
    }

    /** {@code 2026-11-22T10:15:30.123Z  default#41 claimed by agent:a · token 12 (index 57)}. */
    static String event(TaskEvent e) {
        return time(e.at()) + "  " + e.queue() + "#" + e.id() + " " + happened(e) + " (index "
                + e.index() + ")";
    }

    /** What an event says, without its task: {@code claimed by agent:a · token 12}. */
    static String happened(TaskEvent e) {
        StringBuilder b = new StringBuilder(e.type().replace('_', ' '));
        if (e.agent() != null) {
            String word = switch (e.type()) {
                case TaskEvent.HANDED_OFF -> " to ";
                case TaskEvent.EXPIRED, TaskEvent.STALLED -> " for ";
                default -> " by ";
            };
            b.append(word).append(e.agent());
        }
        if (e.token() != null) {
            b.append(" · token ").append(e.token());
        }
        if (e.reason() != null && !e.reason().isBlank() && !e.reason().equals(e.type())) {
            b.append(" · ").append(oneLine(e.reason()));
        }
        if (!e.fields().isEmpty()) {
            b.append(" · ").append(String.join(", ", e.fields()));
        }
        return b.toString();
    }

    /** The task's fields, one a line, then its history, for {@code show}. */
    static List<String> show(Task t, List<TaskEvent> history) {
        List<String> lines = new ArrayList<>();
        lines.add("task #" + t.id() + " · " + oneLine(t.subject()));
        field(lines, "queue", t.queue());
        String status = t.status().wireName();
        if (t.owner() != null) {
            status += " · owner " + t.owner() + " · token " + t.token();
        }
        field(lines, "status", status);
        field(lines, "ready", t.ready() ? "yes" : "no");
        field(lines, "priority", Integer.toString(t.priority()));
        field(lines, "blocked by", t.blockedBy().isEmpty() ? null : ids(t.blockedBy()));
        field(lines, "blocks", t.blocks().isEmpty() ? null : ids(t.blocks()));
        field(lines, "resources", t.resources().isEmpty() ? null
                : String.join(", ", t.resources()));
        field(lines, "requires", t.requires().isEmpty() ? null
                : String.join(", ", t.requires()));
        field(lines, "labels", t.labels().isEmpty() ? null : labels(t.labels()));
        field(lines, "key", t.key());
        field(lines, "attempts", t.attempts() + " of " + t.maxAttempts());
        field(lines, "stall after", t.stallMs() == null ? null
                : Durations.format(Duration.ofMillis(t.stallMs())));
        field(lines, "not before", time(t.notBefore()));
        if (t.progress() != null) {
            String p = (t.progress().percent() == null ? "" : t.progress().percent() + "% ")
                    + (t.progress().note() == null ? "" : t.progress().note());
            field(lines, "progress", p.trim() + " (at " + time(t.progress().at()) + ")");
        }
        field(lines, "active form", t.activeForm());
        field(lines, "description", blankToNull(t.description()));
        field(lines, "result", t.result());
        field(lines, "failure", t.failure());
        field(lines, "created", time(t.createdAt()));
        field(lines, "updated", time(t.updatedAt()));
        field(lines, "claimed", time(t.claimedAt()));
        field(lines, "completed", time(t.completedAt()));
        lines.add("history");
        for (TaskEvent e : history) {
            lines.add("  " + time(e.at()) + "  " + happened(e));
        }
        return lines;
    }

    /**
     * The cluster: a line with the leader and the term (the API reports one term, the
     * answering node's), then a table of each node's role, commit and applied index, and its
     * lag (the leader's commit index less the node's applied index).
     */
    static List<String> cluster(ClusterInfo c) {
        List<String> lines = new ArrayList<>();
        lines.add("leader " + (c.leader() == null ? "unknown" : c.leader()) + " · term "
                + c.term());
        long reference = c.nodes().stream()
                .filter(n -> n.id().equals(c.leader()) && n.commitIndex() != null)
                .mapToLong(ClusterInfo.Node::commitIndex).findFirst()
                .orElse(c.nodes().stream().filter(n -> n.commitIndex() != null)
                        .mapToLong(ClusterInfo.Node::commitIndex).max().orElse(0));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG", "HTTP",
            "RAFT"});
        for (ClusterInfo.Node n : c.nodes()) {
            rows.add(new String[] {n.id(), n.role(), n(n.term()), n(n.commitIndex()),
                n(n.appliedIndex()),
                n.appliedIndex() == null ? "-" : Long.toString(Math.max(0,
                        reference - n.appliedIndex())),
                String.valueOf(n.httpAddress()), String.valueOf(n.raftAddress())});
        }
        lines.addAll(table(rows));
        return lines;
    }

    /** Columns padded to their widest cell; numbers right-aligned. */
    static List<String> table(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] row : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = row[i];
                boolean number = cell.equals("-")
                        || !cell.isEmpty() && cell.chars().allMatch(Character::isDigit);
                String pad = " ".repeat(width[i] - cell.length());
                b.append(number ? pad + cell : cell + (i == columns - 1 ? "" : pad));
                if (i < columns - 1) {
                    b.append("  ");
                }
            }
            lines.add(b.toString().stripTrailing());
        }
        return lines;
    }

    static String ids(List<Long> ids) {
        return ids.stream().map(id -> "#" + id).collect(Collectors.joining(", "));
    }

    /** Text on one line: line breaks and tabs become spaces. */
    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n\\t]+", " ");
    }

    private static String blockedSuffix(Task t) {
        return t.blockedBy().isEmpty() ? "" : " · blocked by " + ids(t.blockedBy());
    }

    private static String holds(List<HeldClaim> claims) {
        if (claims.isEmpty()) {
            return "holds nothing";
        }
        return "holds " + claims.stream().map(c -> c.queue() + "#" + c.id())
                .collect(Collectors.joining(", "));
    }

    private static String labels(Map<String, String> labels) {
        return new java.util.TreeMap<>(labels).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    /** A field line; several lines of text are indented under it. Null or absent: nothing. */
    private static void field(List<String> lines, String name, String value) {
        if (value == null) {
            return;
        }
        String label = "  " + name + " ".repeat(Math.max(1, 13 - name.length()));
        List<String> parts = value.lines().toList();
        if (parts.isEmpty()) {
            parts = List.of("");
        }
        lines.add(label + parts.get(0));
        String indent = " ".repeat(label.length());
        for (int i = 1; i < parts.size(); i++) {
            lines.add(indent + parts.get(i));
        }
    }

    /** The contract's form: UTC, milliseconds always shown. */
    static String time(Instant at) {
        return at == null ? null : TIME.format(at);
    }

    private static String blankToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private static String n(Long value) {
        return value == null ? "-" : value.toString();
    }

    private static String n(long value) {
        return Long.toString(value);
    }
}
