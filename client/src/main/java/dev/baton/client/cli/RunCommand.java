package dev.baton.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.client.PulseResult;
import dev.baton.client.RefusedException;
import dev.baton.client.Task;
import dev.baton.client.UnavailableException;
import dev.baton.client.UnknownOutcomeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code baton run -- COMMAND [ARGS...]}: a worker for agents that live in a shell. It claims
 * the best ready task of the queue (long-polling up to {@code --wait}), starts COMMAND with the
 * task's JSON on stdin and {@code BATON_QUEUE}, {@code BATON_TASK_ID}, {@code BATON_TOKEN}
 * (the claim's fencing token; also {@code BATON_CLAIM_TOKEN}), {@code BATON_AGENT} and
 * {@code BATON_SERVER} in its environment, and keeps the claim alive (a pulse every TTL/3)
 * while it runs. Exit 0 completes the task with COMMAND's stdout as the result; any other exit
 * fails the attempt with the end of its stderr as the reason; both cut to the API's 64 KiB.
 * COMMAND's stderr also goes to this process's stderr as it comes.
 *
 * <p>It stops after {@code --count} tasks (or, with {@code --count}, when a wait found
 * nothing), or on a stop signal: it claims nothing more, terminates COMMAND (and its children;
 * forcibly after {@code --grace}), and releases the task it held, which does not count as an
 * attempt. A claim-next waits in slices of at most {@link #POLL_MAX}, so that a stop never
 * waits long for a claim to come back.
 *
 * <p>Threads: the loop runs on the caller's thread; a scheduler pulses; two threads per task
 * read COMMAND's stdout and stderr and one writes its stdin.
 */
final class RunCommand {
    static final Duration POLL_MAX = Duration.ofSeconds(5);
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    private static final long CHECK_EVERY_MS = 100;
    /** How long to wait for a dead command's pipes to drain (a grandchild may hold them). */
    private static final long DRAIN_MS = 2_000;
    /** How long a command killed by a signal waits for this process's own stop to show. */
    private static final long SIGNAL_SETTLE_MS = 500;
    /** The pause after a claim-next that reached no node, or found nothing without waiting. */
    private static final Duration OUTAGE_PAUSE = Duration.ofSeconds(1);

    private final Context c;
    private final List<String> command;
    private final Integer count;
    private final Duration wait;
    private final Duration ttl;
    private final Duration grace;
    private final Duration stopBudget;
    private final ObjectNode request;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final ScheduledExecutorService pulses = Executors.newSingleThreadScheduledExecutor(
            r -> {
                Thread t = new Thread(r, "baton-run-pulse");
                t.setDaemon(true);
                return t;
            });

    /** A claim being worked on. */
    private record Claimed(Task task, long token, JsonNode json) {
    }

    /** How one task's command ended. */
    private record Ran(int exitCode, String stdout, String stderrTail, boolean lost,
                       boolean terminated) {
    }

    private RunCommand(Context c) {
        this.c = c;
        Args a = c.args;
        this.command = a.passThrough();
        if (command == null || command.isEmpty()) {
            throw new UsageException("run needs a command after --, such as:"
                    + " baton run -- ./work.sh");
        }
        this.count = a.positiveInt("--count");
        this.wait = a.value("--wait") == null ? DEFAULT_WAIT : a.duration("--wait");
        Duration t = AgentCommands.ttl(a);
        this.ttl = t == null ? DEFAULT_TTL : t;
        this.grace = a.value("--grace") == null ? DEFAULT_GRACE : a.duration("--grace");
        // A claim-next slice, the grace, then a release and a complete that may each take
        // the client's whole deadline.
        this.stopBudget = grace.plus(POLL_MAX).plus(c.settings().timeout().multipliedBy(2))
                .plusSeconds(5);
        this.request = Api.object().put("agent", c.agent());
        List<String> capabilities = a.list("--capability");
        if (!capabilities.isEmpty()) {
            ArrayNode caps = request.putArray("capabilities");
            capabilities.forEach(caps::add);
        }
        Map<String, String> labels = a.labels("--label");
        if (!labels.isEmpty()) {
            ObjectNode object = request.putObject("labels");
            labels.forEach(object::put);
        }
    }

    static int run(Context c) {
        return new RunCommand(c).loop();
    }

    private int loop() {
        Environment.Registration registration = c.env.signals().onStop(this::stop);
        try {
            // Gives the agent's session this worker's lease before its first claim, and finds
            // out at once whether the cluster can be reached at all.
            c.api().client().pulse(c.agent(), ttl);
            int done = 0;
            while (!stopping.get() && (count == null || done < count)) {
                Claimed claimed;
                try {
                    claimed = claimNext();
                } catch (UnavailableException | UnknownOutcomeException e) {
                    // The cluster was reachable a moment ago: an outage or an election. A
                    // worker waits it out rather than exiting.
                    c.warn("cannot claim, trying again in " + Durations.format(OUTAGE_PAUSE)
                            + ": " + e.getMessage());
                    pause();
                    continue;
                }
                if (claimed == null) {
                    if (count != null) {
                        break; // Nothing came within --wait: done with what there was.
                    }
                    if (wait.isZero()) {
                        pause(); // --wait 0 polls: not in a tight loop.
                    }
                    continue;
                }
                work(claimed);
                done++;
            }
            return stopping.get() ? AgentCommands.STOPPED : 0;
        } finally {
            pulses.shutdownNow();
            finished.countDown();
            registration.close();
        }
    }

    /**
     * On a stop signal: the loop stops claiming and tidies up; this waits for it, because the
     * process ends when the stop actions return.
     */
    private void stop() {
        stopping.set(true);
        try {
            finished.await(stopBudget.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next task, waiting up to --wait in slices; null when none came or on a stop. */
    private Claimed claimNext() {
        long deadline = System.nanoTime() + wait.toNanos();
        do {
            long leftMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            Duration slice = Duration.ofMillis(Math.min(leftMs, POLL_MAX.toMillis()));
            ObjectNode body = request.deepCopy().put("waitMs", slice.toMillis());
            JsonNode claims = c.api().post(Api.claimNext(c.queue()), body, slice).path("claims");
            if (!claims.isEmpty()) {
                JsonNode claim = claims.get(0);
                Claimed claimed = new Claimed(Api.decode(claim.path("task"), Task.class),
                        claim.path("token").asLong(), claim);
                if (stopping.get()) {
                    release(claimed);
                    return null;
                }
                return claimed;
            }
        } while (!stopping.get() && System.nanoTime() < deadline);
        return null;
    }

    private void work(Claimed claimed) {
        Task task = claimed.task();
        c.print(claimed.json(), Format.claimed(task, claimed.token(), ttl, false));
        Process process;
        try {
            process = processBuilder(claimed).start();
        } catch (IOException e) {
            release(claimed);
            throw new UsageException("cannot start " + command.get(0) + ": " + e.getMessage());
        }
        Ran ran = supervise(process, claimed);
        if (ran.lost()) {
            c.warn("lost the claim on #" + task.id() + " while " + command.get(0) + " ran (it"
                    + " expired, was handed off or deleted); its outcome is not reported");
            return;
        }
        if (ran.terminated() || (ran.exitCode() != 0 && stoppedBySignal(ran.exitCode()))) {
            release(claimed); // Stopped: a command that finished on its own is reported.
            return;
        }
        try {
            if (ran.exitCode() == 0) {
                ObjectNode body = Api.object().put("token", claimed.token())
                        .put("result", ran.stdout());
                JsonNode answer = c.api().post(Api.task(c.queue(), task.id()) + "/complete",
                        body);
                c.print(answer, Format.completedRun(Api.decode(answer, Task.class)));
            } else {
                String reason = ran.stderrTail().isBlank() ? "exit status " + ran.exitCode()
                        : ran.stderrTail();
                ObjectNode body = Api.object().put("token", claimed.token())
                        .put("reason", reason);
                JsonNode answer = c.api().post(Api.task(c.queue(), task.id()) + "/fail", body);
                c.print(answer, Format.failedRun(Api.decode(answer, Task.class),
                        ran.exitCode()));
            }
        } catch (RefusedException e) {
            // The command may have ended the task itself (baton complete), or someone deleted
            // it: report, and go on with the next.
            c.warn("could not report #" + task.id() + ": " + Cli.refusal(c, e));
        } catch (UnavailableException | UnknownOutcomeException e) {
            c.warn("could not report #" + task.id() + " (the cluster did not answer); it"
                    + " returns to the queue when the lease of " + c.agent() + " lapses: "
                    + e.getMessage());
        }
    }

    /**
     * Whether a failed command failed because this worker is stopping. Ctrl-C in a terminal
     * signals the whole process group, so the command may die of it (128 + signal) a moment
     * before this process's stop action runs; that is a stop, not a failed attempt.
     */
    private boolean stoppedBySignal(int exitCode) {
        if (stopping.get()) {
            return true;
        }
        if (exitCode <= 128) {
            return false;
        }
        try {
            Thread.sleep(SIGNAL_SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
        return stopping.get();
    }

    private ProcessBuilder processBuilder(Claimed claimed) {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("BATON_QUEUE", c.queue());
        env.put("BATON_TASK_ID", Long.toString(claimed.task().id()));
        env.put("BATON_TOKEN", Long.toString(claimed.token()));
        env.put("BATON_CLAIM_TOKEN", Long.toString(claimed.token()));
        env.put("BATON_AGENT", c.agent());
        env.put("BATON_SERVER", c.settings().serverList());
        return pb;
    }

    /**
     * Feeds the command, reads what it says, keeps the claim alive, and waits for it to end;
     * terminates it on a stop or when the claim is lost.
     */
    private Ran supervise(Process process, Claimed claimed) {
        byte[] input = (claimed.json().path("task").toString() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Thread writer = daemon("baton-run-stdin", () -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(input);
            } catch (IOException e) {
                // The command does not read its stdin: fine.
            }
        });
        Capture stdout = new Capture(process.getInputStream(), null, true);
        Capture stderr = new Capture(process.getErrorStream(), c.env.stderr(), false);
        Thread out = daemon("baton-run-stdout", stdout);
        Thread err = daemon("baton-run-stderr", stderr);
        AtomicBoolean lost = new AtomicBoolean();
        long period = Math.max(1, ttl.toMillis() / 3);
        ScheduledFuture<?> keepAlive = pulses.scheduleAtFixedRate(() -> {
            try {
                PulseResult p = c.api().client().pulse(c.agent(), ttl);
                if (!p.holds(c.queue(), claimed.task().id(), claimed.token())) {
                    lost.set(true);
                }
            } catch (RuntimeException e) {
                // Unreachable for now: the next pulse tries again, within the lease.
            }
        }, 0, period, TimeUnit.MILLISECONDS);
        boolean terminated;
        try {
            terminated = waitFor(process, lost);
        } finally {
            keepAlive.cancel(false);
        }
        join(writer, out, err);
        return new Ran(process.exitValue(), stdout.head(), stderr.tail(), lost.get(),
                terminated);
    }

    /**
     * Waits for the process; on a stop or a lost claim, terminates it, then kills it.
     *
     * @return whether it was terminated rather than ending on its own
     */
    private boolean waitFor(Process process, AtomicBoolean lost) {
        long killAt = Long.MAX_VALUE;
        boolean terminated = false;
        while (true) {
            try {
                if (process.waitFor(CHECK_EVERY_MS, TimeUnit.MILLISECONDS)) {
                    return terminated;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping.set(true);
            }
            if (!terminated && (stopping.get() || lost.get())) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                terminated = true;
                killAt = System.nanoTime() + grace.toNanos();
            } else if (terminated && System.nanoTime() - killAt > 0) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    /** Sleeps through an outage, waking at once on a stop. */
    private void pause() {
        long until = System.nanoTime() + OUTAGE_PAUSE.toNanos();
        while (!stopping.get() && System.nanoTime() < until) {
            try {
                Thread.sleep(CHECK_EVERY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping.set(true);
            }
        }
    }

    private void release(Claimed claimed) {
        try {
            JsonNode answer = c.api().post(Api.task(c.queue(), claimed.task().id()) + "/release",
                    Api.object().put("token", claimed.token()));
            c.print(answer, Format.released(Api.decode(answer, Task.class)) + " · stopping");
        } catch (RuntimeException e) {
            c.warn("could not release #" + claimed.task().id() + "; it returns to the queue"
                    + " when the lease of " + c.agent() + " lapses: " + e.getMessage());
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread... threads) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Reads one of the command's streams to its end, keeping its first bytes (stdout: the
     * result) or its last ones (stderr: the reason), a little over the API's limit; stderr is
     * also copied to this process's stderr.
     */
    private static final class Capture implements Runnable {
        private final InputStream in;
        private final OutputStream copy;
        private final boolean keepHead;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        Capture(InputStream in, OutputStream copy, boolean keepHead) {
            this.in = in;
            this.copy = copy;
            this.keepHead = keepHead;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            int limit = Utf8.TEXT_BYTES_MAX + 4;
            try (in) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (copy != null) {
                        copy.write(buffer, 0, n);
                        copy.flush();
                    }
                    synchronized (this) {
                        if (keepHead) {
                            kept.write(buffer, 0, Math.max(0, Math.min(n, limit - kept.size())));
                        } else {
                            kept.write(buffer, 0, n);
                            if (kept.size() > 2 * limit) {
                                byte[] all = kept.toByteArray();
                                kept.reset();
                                kept.write(all, all.length - limit, limit);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // The process ended or was killed: keep what came.
            }
        }

        synchronized String head() {
            byte[] bytes = kept.toByteArray();
            return stripNewline(Utf8.head(bytes, bytes.length, Utf8.TEXT_BYTES_MAX));
        }

        synchronized String tail() {
            byte[] bytes = kept.toByteArray();
            return stripNewline(Utf8.tail(bytes, bytes.length, Utf8.TEXT_BYTES_MAX));
        }

        private static String stripNewline(String text) {
            int end = text.length();
            while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
                end--;
            }
            return text.substring(0, end);
        }
    }
}
