package dev.baton.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.client.AgentSession;
import dev.baton.client.EventStream;
import dev.baton.client.PulseResult;
import dev.baton.client.QueueInfo;
import dev.baton.client.RefusedException;
import dev.baton.client.TaskEvent;
import dev.baton.client.UnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code pulse}, {@code agents}, {@code queues} and {@code watch}. */
final class AgentCommands {
    /** The exit code of a loop stopped by a signal: 128 + SIGINT, as shells report Ctrl-C. */
    static final int STOPPED = 130;
    static final Duration TTL_MIN = Duration.ofSeconds(1);
    static final Duration TTL_MAX = Duration.ofHours(1);

    private AgentCommands() {
    }

    /**
     * One pulse, or with {@code --every} one every period until stopped. A pulse that cannot
     * reach the cluster in a loop is reported and tried again at the next period, since the
     * session may well outlive a short outage.
     */
    static int pulse(Context c) {
        Duration ttl = ttl(c.args);
        Duration every = c.args.duration("--every");
        if (every == null) {
            pulseOnce(c, ttl);
            return 0;
        }
        if (every.isZero()) {
            throw new UsageException("--every must be more than 0");
        }
        Duration lease = ttl == null ? Duration.ofSeconds(30) : ttl;
        if (every.compareTo(lease) >= 0) {
            throw new UsageException("--every " + Durations.format(every) + " would let the "
                    + Durations.format(lease) + " lease lapse between pulses; pulse more often"
                    + " than --ttl (a third of it is usual)");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Environment.Registration registration = c.env.signals().onStop(stop::countDown);
        try {
            pulseOnce(c, ttl);
            while (!stop.await(every.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    pulseOnce(c, ttl);
                } catch (UnavailableException e) {
                    c.warn("pulse failed, trying again in " + Durations.format(every) + ": "
                            + Cli.unreachable(c, e));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            registration.close();
        }
        return STOPPED;
    }

    private static void pulseOnce(Context c, Duration ttl) {
        ObjectNode body = Api.object();
        if (ttl != null) {
            body.put("ttlMs", ttl.toMillis());
        }
        JsonNode answer = c.api().post(Api.agent(c.agent()) + "/pulse", body);
        c.print(answer, Format.pulse(Api.decode(answer, PulseResult.class)));
    }

    static Duration ttl(Args args) {
        Duration ttl = args.duration("--ttl");
        if (ttl != null && (ttl.compareTo(TTL_MIN) < 0 || ttl.compareTo(TTL_MAX) > 0)) {
            throw new UsageException("--ttl is from 1s to 1h, got " + args.value("--ttl"));
        }
        return ttl;
    }

    static int agents(Context c) {
        JsonNode answer = c.api().get("/v1/agents");
        if (c.json()) {
            c.printJson(answer);
            return 0;
        }
        for (JsonNode a : answer.path("agents")) {
            c.print(Format.agent(Api.decode(a, AgentSession.class), c.env.clock().instant()));
        }
        return 0;
    }

    static int queues(Context c) {
        JsonNode answer = c.api().get("/v1/queues");
        if (c.json()) {
            c.printJson(answer);
            return 0;
        }
        List<QueueInfo> queues = new ArrayList<>();
        answer.path("queues").forEach(q -> queues.add(Api.decode(q, QueueInfo.class)));
        c.print(Format.queues(queues));
        return 0;
    }

    /**
     * Prints events as they happen, one a line (with {@code --json}, one JSON object a line),
     * until stopped or {@code --count} events were printed. The queue is the resolved one;
     * {@code --all-queues} follows every queue.
     */
    static int watch(Context c) {
        Args a = c.args;
        Long from = a.longValue("--from");
        if (from != null && from < 1) {
            throw new UsageException("--from takes a log index from 1 up, got " + from);
        }
        Integer count = a.positiveInt("--count");
        String queue = a.flag("--all-queues") ? null : c.queue();
        if (a.flag("--all-queues") && a.value("--queue") != null) {
            throw new UsageException("--all-queues follows every queue; drop --queue");
        }
        EventStream events = c.api().client().events(queue, from);
        int printed = 0;
        Environment.Registration registration = c.env.signals().onStop(events::close);
        try (events) {
            while (count == null || printed < count) {
                TaskEvent e = events.next();
                if (c.json()) {
                    c.printJson(json(e));
                } else {
                    c.print(Format.event(e));
                }
                printed++;
            }
            return 0;
        } catch (IllegalStateException e) {
            return STOPPED; // Closed by a stop signal.
        } catch (RefusedException e) {
            if (e.status() == 410) {
                throw new CommandFailed("the cluster no longer keeps the events after index "
                        + events.lastIndex() + " (gone); watch again without --from");
            }
            throw e;
        } finally {
            registration.close();
        }
    }

    /** An event as the stream's JSON carries it: queue, id, index, at, type, agent... */
    static ObjectNode json(TaskEvent e) {
        ObjectNode n = Api.object();
        n.put("queue", e.queue());
        n.put("id", e.id());
        n.put("index", e.index());
        n.put("at", Format.time(e.at()));
        n.put("type", e.type());
        n.put("agent", e.agent());
        n.put("token", e.token());
        n.put("reason", e.reason());
        if (!e.fields().isEmpty()) {
            ArrayNode fields = n.putArray("fields");
            e.fields().forEach(fields::add);
        }
        return n;
    }
}
