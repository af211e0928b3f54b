package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.baton.core.model.QueueSummary;
import dev.baton.core.model.Task;
import dev.baton.core.model.TaskEvent;
import dev.baton.core.model.TaskStatus;
import dev.baton.core.state.TreeMapStore;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Stories told to the machine over logical time. One line is one step: a write or a read on the
 * left of {@code ->}, what must be seen on the right.
 *
 * <pre>
 * create Q "SUBJECT" [option value]... at T [idem KEY] [times N]   -> created #ID [property]...
 * update Q #ID [option value]... at T [idem KEY]                  -> updated #ID ... | cycle ...
 * delete Q #ID at T [idem KEY]                                    -> deleted #ID ...
 * tick at T                                                       -> ticked
 * get Q #ID                          -> none | [property]...      (the task now)
 * history Q #ID                      -> none | type@index:at[fields]...
 * list Q [status a,b] [label k=v] [ready] [after ID] [limit N]    -> [ids] next ID|none
 * queue Q                            -> none | [count value]...   (nextId pending ready ...)
 * queues                             -> [names]
 * now                                -> T
 * deadline                           -> T | none              (when a tick next matters)
 * </pre>
 *
 * Writes get log indexes 1, 2, 3... in script order. Properties: {@code #ID}, a status
 * ({@code pending}, {@code deleted}...), {@code ready}/{@code unready}, or a field and its value
 * ({@code blockedBy [1,2]}, {@code priority 2}, {@code notBefore null}). A refusal is its wire
 * code, then quoted words its message must contain and {@code detail value} pairs. Refusals and
 * {@code found} always check, and {@code unchanged} asks any line to check, that no task, queue,
 * index or history byte changed. Lists are {@code [1,2]}, {@code 1..100} or {@code k1..k33=v};
 * {@code "x"*501} is a string of 501 x's.
 */
class ScenarioTest {
    private final TreeMapStore store = new TreeMapStore();
    private TaskMachine machine = new TaskMachine(store, 1_000_000);
    private final TaskReader reader = new TaskReader(store);
    private long index;

    // ----- ids and queues -----

    @Test
    void taskIdsCountFromOnePerQueueAndAreNeverReused() {
        run("""
            queues                                    -> []
            create a "A one" at 1000                  -> created #1 pending ready
            create a "A two" at 1001                  -> created #2
            create b "B one" at 1002                  -> created #1
            delete a #2 at 1003                       -> deleted #2 deleted
            create a "A three" at 1004                -> created #3
            get a #2                                  -> deleted subject "A two"
            get b #2                                  -> none
            queues                                    -> [a,b]
            queue a                                   -> nextId 4 pending 2 ready 2 deleted 1
            queue b                                   -> nextId 2 pending 1 ready 1 deleted 0
            queue c                                   -> none
            """);
    }

    @Test
    void aKeyAlreadyTakenReturnsTheExistingTaskUntilItsHolderIsDeleted() {
        run("""
            create q "Build" key build at 1000               -> created #1 key build
            create q "Build again" key build priority 9 at 1001 -> found #1 subject "Build"
            create r "Build" key build at 1002               -> created #1
            queue q                                          -> nextId 2 pending 1
            delete q #1 at 1003                              -> deleted #1
            create q "Rebuild" key build at 1004             -> created #2 key build
            create q "Rebuild twice" key build at 1005       -> found #2 subject "Rebuild"
            """);
    }

    // ----- dependencies -----

    @Test
    void blockedByListsOnlyUnfinishedBlockersAndDeletingABlockerUnblocks() {
        run("""
            create q "Build" at 1000                         -> created #1 ready blocks []
            create q "Test" blockedBy [1] at 1001            -> created #2 unready blockedBy [1]
            create q "Deploy" blockedBy [1,2] at 1002        -> created #3 blockedBy [1,2]
            get q #1                                         -> blocks [2,3]
            get q #2                                         -> blocks [3]
            queue q                                          -> pending 3 ready 1
            delete q #1 at 1003                              -> deleted #1 blockedBy [] blocks []
            get q #2                                         -> pending ready blockedBy []
            get q #3                                         -> unready blockedBy [2]
            create q "Announce" blockedBy [1,3] at 1004      -> created #4 blockedBy [3]
            get q #3                                         -> blocks [4]
            queue q                                          -> pending 3 ready 1 deleted 1
            """);
    }

    @Test
    void anUnknownBlockerIsRefusedAndCreatesNothing() {
        run("""
            create q "Build" at 1000                         -> created #1
            create q "Deploy" blockedBy [1,7] at 1001        -> invalid_argument "#7" id 7
            create q "Deploy" blockedBy [2] at 1002          -> invalid_argument id 2
            get q #1                                         -> blocks []
            create q "Deploy" blockedBy [1] at 1003          -> created #2
            create z "Lonely" blockedBy [1] at 1004          -> invalid_argument
            queues                                           -> [q]
            """);
    }

    @Test
    void aDependencyCycleIsRefusedAndChangesNothing() {
        run("""
            create q "A" at 1000                             -> created #1
            create q "B" blockedBy [1] at 1001               -> created #2
            create q "C" blockedBy [2] at 1002               -> created #3
            update q #1 addBlockedBy [1] at 1003             -> cycle cycle [1]
            update q #1 addBlockedBy [2] at 1004             -> cycle cycle [2,1]
            update q #1 addBlockedBy [3] at 1005             -> cycle cycle [3,2,1]
            update q #1 priority 5 addBlockedBy [3] at 1006  -> cycle
            get q #1                 -> priority 0 blockedBy [] blocks [2] updatedAt 1000 ready
            """);
    }

    @Test
    void removingABlockerUnblocksAndBothSidesMirrorEachOther() {
        run("""
            create q "A" at 1000                             -> created #1
            create q "B" at 1001                             -> created #2 ready
            update q #2 addBlockedBy [1] at 1002             -> updated #2 unready blockedBy [1]
            get q #1                                         -> blocks [2]
            queue q                                          -> pending 2 ready 1
            update q #2 removeBlockedBy [1] at 1003          -> updated #2 ready blockedBy []
            get q #1                                         -> blocks []
            queue q                                          -> pending 2 ready 2
            delete q #1 at 1004                              -> deleted #1
            update q #2 addBlockedBy [1] at 1005             -> updated #2 ready unchanged
            update q #2 addBlockedBy [9] at 1006             -> invalid_argument field addBlockedBy
            history q #2      -> created@2:1001 updated@3:1002[blockedBy] updated@4:1003[blockedBy]
            """);
    }

    // ----- time -----

    @Test
    void aDelayedTaskBecomesReadyOnlyWhenLeaderTimePassesIt() {
        run("""
            deadline                                         -> none
            create q "Later" delayMs 500 at 1000             -> created #1 unready notBefore 1500
            create q "At two" notBefore 2000 at 1001         -> created #2 unready notBefore 2000
            create q "Now" at 1002                           -> created #3 ready
            queue q                                          -> pending 3 ready 1
            deadline                                         -> 1500
            list q ready                                     -> [3] next none
            tick at 1499                                     -> ticked
            list q ready                                     -> [3] next none
            tick at 1500                                     -> ticked
            list q ready                                     -> [1,3] next none
            queue q                                          -> pending 3 ready 2
            deadline                                         -> 2000
            tick at 5000                                     -> ticked
            queue q                                          -> ready 3
            deadline                                         -> none
            update q #3 notBefore 9000 at 5001               -> updated #3 unready
            queue q                                          -> ready 2
            update q #3 clearNotBefore at 5002               -> updated #3 ready notBefore null
            history q #3      -> created@3:1002 updated@7:5001[notBefore] updated@8:5002[notBefore]
            // A blocker finishing early leaves its dependent waiting for its own time.
            create q "Gate" at 5003                          -> created #4
            create q "Gated" blockedBy [4] delayMs 1000 at 5004 -> created #5 notBefore 6004
            delete q #4 at 5005                              -> deleted #4
            get q #5                                         -> unready blockedBy []
            queue q                                          -> pending 4 ready 3
            tick at 6004                                     -> ticked
            get q #5                                         -> ready
            queue q                                          -> pending 4 ready 4
            """);
    }

    @Test
    void theClockNeverRunsBackwards() {
        run("""
            create q "First" at 2000                         -> created #1 createdAt 2000
            create q "From a lagging leader" at 1500         -> created #2 createdAt 2000
            now                                              -> 2000
            create q "Soon" delayMs 100 at 1000              -> created #3 notBefore 2100 unready
            tick at 2099                                     -> ticked
            get q #3                                         -> unready
            tick at 2100                                     -> ticked
            get q #3                                         -> ready
            update q #1 priority 1 at 50                     -> updated #1 updatedAt 2100
            history q #2                                     -> created@2:2000
            """);
    }

    // ----- history, updates and deletes -----

    @Test
    void historyRecordsEachChangeWithItsLogIndexAndTime() {
        run("""
            create q "Build" at 1000                         -> created #1
            update q #1 subject "Build all" labels team=infra at 1005 -> updated #1 updatedAt 1005
            update q #1 subject "Build all" at 1006          -> updated #1 updatedAt 1005 unchanged
            get q #1                                 -> subject "Build all" labels {team=infra}
            delete q #1 at 1010                              -> deleted #1 updatedAt 1010
            delete q #1 at 1011                              -> deleted #1 unchanged
            history q #1     -> created@1:1000 updated@2:1005[subject,labels] deleted@4:1010
            history q #9                                     -> none
            """);
    }

    @Test
    void updatingAMissingTaskIsNotFoundAndADeletedOneIsInvalid() {
        run("""
            update q #1 priority 1 at 1000                   -> not_found
            create q "Build" at 1001                         -> created #1
            delete q #1 at 1002                              -> deleted #1
            update q #1 priority 1 at 1003                   -> invalid_argument "deleted"
            delete q #1 at 1004                              -> deleted #1 updatedAt 1002 unchanged
            delete q #2 at 1005                              -> not_found
            delete q #0 at 1006                              -> invalid_argument
            history q #1                                     -> created@2:1001 deleted@3:1002
            """);
    }

    // ----- idempotency -----

    @Test
    void aRetryWithTheSameKeyReturnsTheFirstOutcomeAndAppliesNothing() {
        run("""
            create q "Build" at 1000 idem k1                 -> created #1
            create q "Build" at 1001 idem k1                 -> created #1 createdAt 1000 unchanged
            create q "Build" priority 2 at 1002 idem k1      -> invalid_argument "different request"
            update q #1 priority 5 at 1003 idem k2           -> updated #1 priority 5
            update q #1 priority 7 at 1004                   -> updated #1 priority 7
            update q #1 priority 5 at 1005 idem k2           -> updated #1 priority 5 unchanged
            get q #1                                         -> priority 7
            delete q #9 at 1006 idem k3                      -> not_found
            create q "Next" at 1007                          -> created #2
            create q "Long key" at 1008 idem "k"*128         -> created #3
            create q "Too long" at 1009 idem "k"*129         -> invalid_argument "Idempotency-Key"
            create q "Empty key" at 1010 idem ""             -> invalid_argument "Idempotency-Key"
            """);
    }

    @Test
    void aKeyOlderThanADayIsForgottenSoTheRequestAppliesAnew() {
        run("""
            create q "Nightly" at 1000 idem nightly          -> created #1
            create q "Nightly" at 86401000 idem nightly      -> created #1 unchanged
            create q "Nightly" at 86401001 idem nightly      -> created #2 createdAt 86401001
            create q "Nightly" at 86401002 idem nightly      -> created #2 unchanged
            """);
    }

    @Test
    void beyondTheConfiguredCountTheOldestKeysAreForgottenFirst() {
        machine = new TaskMachine(store, 3);
        run("""
            create q "One" at 1000 idem k1                   -> created #1
            create q "Two" at 1001 idem k2                   -> created #2
            create q "Three" at 1002 idem k3                 -> created #3
            create q "Four" at 1003 idem k4                  -> created #4
            create q "Two" at 1004 idem k2                   -> created #2 unchanged
            create q "One" at 1005 idem k1                   -> created #5
            """);
    }

    @Test
    void aReaderTellsARetryOfARememberedRequestFromANewOne() {
        // The server asks this of a DELETE whose member is already gone: was it this removal?
        Command remove = new Command.RemoveMember("n3");
        Outcome first = machine.apply(++index, new Entry(1000, "rm-n3", remove));
        assertInstanceOf(Outcome.MembersChanged.class, first);
        TaskReader reader = machine.reader();
        assertEquals(first, reader.replay("rm-n3", remove));
        assertNull(reader.replay("rm-n3", new Command.RemoveMember("n4")), "another request");
        assertNull(reader.replay("never-sent", remove), "an unknown key");
        machine.apply(++index, new Entry(1000 + Limits.IDEMPOTENCY_TTL_MS + 1, null,
                new Command.Tick()));
        assertNull(reader.replay("rm-n3", remove), "a key older than a day");
    }

    // ----- limits -----

    @Test
    void everyLimitOfTheContractIsRefusedAndChangesNothing() {
        run("""
            create q "x"*500 at 1000                         -> created #1
            create q "x"*501 at 1001                         -> invalid_argument "subject"
            create q "   " at 1002                           -> invalid_argument "blank"
            create q "Docs" description "d"*65536 at 1003    -> created #2
            create q "Docs" description "d"*65537 at 1004    -> invalid_argument "description"
            create q "Docs" description "\u00e9"*32769 at 1005 -> invalid_argument "description"
            create q "Tags" labels k1..k32=v at 1006         -> created #3
            create q "Tags" labels k1..k33=v at 1007         -> invalid_argument "labels has 33"
            create q "Needs" requires c1..c32 at 1008        -> created #4
            create q "Needs" requires c1..c33 at 1009        -> invalid_argument "requires has 33"
            create q "Files" resources r1..r64 at 1010       -> created #5
            create q "Files" resources r1..r65 at 1011       -> invalid_argument "resources has 65"
            create q "Keyed" key "k"*256 at 1012             -> created #6
            create q "Keyed" key "k"*257 at 1013             -> invalid_argument "key"
            create q "Tries" maxAttempts 1 at 1014           -> created #7 maxAttempts 1
            create q "Tries" maxAttempts 1000 at 1015        -> created #8 maxAttempts 1000
            create q "Tries" maxAttempts 0 at 1016           -> invalid_argument "maxAttempts"
            create q "Tries" maxAttempts 1001 at 1017        -> invalid_argument "maxAttempts"
            create Q "Upper case queue" at 1018              -> invalid_argument "queue name"
            create -q "Leading dash" at 1019                 -> invalid_argument "queue name"
            create a/b "Slash" at 1020                       -> invalid_argument "queue name"
            create "q"*65 "Long queue name" at 1021          -> invalid_argument "queue name"
            create q "Both times" delayMs 5 notBefore 9 at 1022 -> invalid_argument "not both"
            create q "Stall" stallMs 999 at 1023             -> invalid_argument "stallMs"
            update q #1 subject "x"*501 at 1024              -> invalid_argument "subject"
            update q #1 labels k1..k33=v at 1025             -> invalid_argument "labels"
            update q #1 maxAttempts 0 at 1026                -> invalid_argument "maxAttempts"
            queue q                                          -> nextId 9 pending 8
            get q #1                                         -> maxAttempts 5 labels {}
            """);
    }

    @Test
    void aTaskWaitsOnAtMostAHundredBlockers() {
        run("""
            create q "Filler" at 1000 times 100              -> created #100
            create q "Waits on a hundred" blockedBy 1..100 at 1001 -> created #101
            create q "Waits on more" blockedBy 1..101 at 1002 -> invalid_argument "has 101"
            create q "One more" at 1003                      -> created #102
            update q #101 addBlockedBy [102] at 1004         -> invalid_argument "101 tasks"
            update q #101 addBlockedBy [102] removeBlockedBy [1] at 1005 -> updated #101
            """);
    }

    // ----- lists -----

    @Test
    void listsPageInIdOrderAndFilterByStatusLabelAndReadiness() {
        run("""
            create q "One" labels team=infra at 1000         -> created #1
            create q "Two" at 1001                           -> created #2
            create q "Three" labels team=infra blockedBy [2] at 1002 -> created #3
            create q "Four" labels team=web at 1003          -> created #4
            create q "Five" labels team=infra at 1004        -> created #5
            delete q #4 at 1005                              -> deleted #4
            list q                                           -> [1,2,3,4,5] next none
            list q limit 2                                   -> [1,2] next 2
            list q after 2 limit 2                           -> [3,4] next 4
            list q after 4 limit 2                           -> [5] next none
            list q after 3 limit 2                           -> [4,5] next none
            list q status pending                            -> [1,2,3,5] next none
            list q status deleted                            -> [4] next none
            list q status pending,deleted after 1 limit 3    -> [2,3,4] next 4
            list q label team=infra                          -> [1,3,5] next none
            list q label team=infra limit 2                  -> [1,3] next 3
            list q label team=infra after 3 limit 2          -> [5] next none
            list q ready                                     -> [1,2,5] next none
            list q ready label team=infra                    -> [1,5] next none
            list nowhere                                     -> [] next none
            """);
    }

    // ----- the runner -----

    private record Tok(String text, boolean quoted) {
    }

    private static final Pattern TOKEN = Pattern.compile("\"([^\"]*)\"(?:\\*(\\d+))?|(\\S+)");
    private static final Pattern RANGE = Pattern.compile("(\\D*)(\\d+)\\.\\.\\1?(\\d+)(=.*)?");
    private static final Set<String> FLAGS = Set.of("clearNotBefore", "ready");
    /** Machine bookkeeping that any entry may touch: the clock and the idempotency table. */
    private static final List<String> BOOKKEEPING = List.of("m/", "i/");

    private void run(String script) {
        String[] lines = script.split("\n");
        for (int n = 1; n <= lines.length; n++) {
            String text = lines[n - 1].strip();
            if (text.isEmpty() || text.startsWith("//")) {
                continue;
            }
            try {
                int arrow = text.indexOf("->");
                Check.state(arrow > 0, "no '->' on the line");
                step(tokens(text.substring(0, arrow)), tokens(text.substring(arrow + 2)));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("script line " + n + ": " + text + "\n    "
                        + e.getMessage(), e);
            }
        }
    }

    private static List<Tok> tokens(String s) {
        List<Tok> out = new ArrayList<>();
        for (Matcher m = TOKEN.matcher(s); m.find(); ) {
            out.add(m.group(3) != null ? new Tok(m.group(3), false) : new Tok(m.group(2) == null
                    ? m.group(1) : m.group(1).repeat(Integer.parseInt(m.group(2))), true));
        }
        return out;
    }

    private void step(List<Tok> cmd, List<Tok> expect) {
        String verb = cmd.get(0).text();
        int positional = Set.of("tick", "queues", "now", "deadline").contains(verb) ? 1
                : Set.of("list", "queue").contains(verb) ? 2 : 3;
        Map<String, String> o = new HashMap<>();
        for (int i = positional; i < cmd.size(); i++) {
            String name = cmd.get(i).text();
            o.put(name, FLAGS.contains(name) ? "true" : cmd.get(++i).text());
        }
        String q = cmd.size() > 1 ? cmd.get(1).text() : null;
        switch (verb) {
            case "create", "update", "delete", "tick" -> write(verb, cmd, o, expect);
            case "get" -> checkProperties(reader.task(q, id(cmd.get(2))), expect);
            case "history" -> {
                List<TaskEvent> events = reader.history(q, id(cmd.get(2)));
                eq("history", join(expect), events == null ? "none" : events.stream()
                        .map(e -> e.type().wireName() + "@" + e.index() + ":" + e.atMs()
                                + (e.fields().isEmpty() ? "" : fmt(e.fields())))
                        .collect(Collectors.joining(" ")));
            }
            case "list" -> {
                var filter = new TaskReader.Filter(list(o.remove("status")).stream()
                        .map(TaskStatus::fromWire).collect(Collectors.toSet()), null,
                        o.remove("ready") != null, labels(o.remove("label")));
                TaskReader.Page page = reader.list(q, filter, Long.parseLong(
                        Objects.requireNonNullElse(o.remove("after"), "0")), Integer.parseInt(
                        Objects.requireNonNullElse(o.remove("limit"), "100")));
                Check.state(o.isEmpty(), "unknown options " + o.keySet());
                eq("page", join(expect), fmt(page.tasks().stream().map(Task::id).toList())
                        + " next " + (page.nextAfterId() == null ? "none" : page.nextAfterId()));
            }
            case "queue" -> checkProperties(reader.queues().stream()
                    .filter(s -> s.name().equals(q)).findFirst().orElse(null), expect);
            case "queues" -> eq("queues", join(expect),
                    fmt(reader.queues().stream().map(QueueSummary::name).toList()));
            case "now" -> eq("now", join(expect), reader.nowMs());
            case "deadline" -> eq("deadline", join(expect), reader.nextDelayedMs()
                    == Long.MAX_VALUE ? "none" : reader.nextDelayedMs());
            default -> throw new AssertionError("unknown verb " + verb);
        }
    }

    private void write(String verb, List<Tok> cmd, Map<String, String> o, List<Tok> expect) {
        String q = verb.equals("tick") ? null : cmd.get(1).text();
        Command c = switch (verb) {
            case "create" -> new Command.CreateTask(q, cmd.get(2).text(), o.remove("description"),
                    o.remove("activeForm"), Integer.parseInt(o.getOrDefault("priority", "0")),
                    longs(o.remove("blockedBy")), list(o.remove("resources")),
                    list(o.remove("requires")), labels(o.remove("labels")), o.remove("key"),
                    o.containsKey("maxAttempts") ? Integer.valueOf(o.remove("maxAttempts")) : null,
                    number(o.remove("stallMs")), number(o.remove("notBefore")),
                    number(o.remove("delayMs")));
            case "update" -> new Command.UpdateTask(q, id(cmd.get(2)), o.remove("subject"),
                    o.remove("description"), o.remove("activeForm"),
                    o.containsKey("priority") ? Integer.valueOf(o.get("priority")) : null,
                    o.containsKey("labels") ? labels(o.remove("labels")) : null,
                    o.containsKey("resources") ? list(o.remove("resources")) : null,
                    o.containsKey("maxAttempts") ? Integer.valueOf(o.remove("maxAttempts")) : null,
                    number(o.remove("notBefore")), o.remove("clearNotBefore") != null,
                    longs(o.remove("addBlockedBy")), longs(o.remove("removeBlockedBy")));
            case "delete" -> new Command.DeleteTask(q, id(cmd.get(2)));
            default -> new Command.Tick();
        };
        o.remove("priority");
        String at = o.remove("at");
        String idem = o.remove("idem");
        int times = Integer.parseInt(Objects.requireNonNullElse(o.remove("times"), "1"));
        Check.state(at != null && o.isEmpty(), at == null ? "a write needs 'at T'"
                : "unknown options " + o.keySet());
        Map<String, String> before = state();
        Outcome out = null;
        for (int i = 0; i < times; i++) {
            out = machine.apply(++index, new Entry(Long.parseLong(at), idem, c));
        }
        Task task = out instanceof Outcome.TaskCreated r ? r.task()
                : out instanceof Outcome.TaskFound r ? r.task()
                : out instanceof Outcome.TaskUpdated r ? r.task()
                : out instanceof Outcome.TaskDeleted r ? r.task() : null;
        String kind = out instanceof Outcome.Rejected r ? r.code().wireName()
                : out.getClass().getSimpleName().replace("Task", "").toLowerCase(Locale.ROOT);
        if (!kind.equals(expect.get(0).text())) {
            throw new AssertionError("expected " + join(expect) + " but got " + kind + " "
                    + (out instanceof Outcome.Rejected r ? r.message() + " " + r.details() : task));
        }
        List<Tok> rest = expect.subList(1, expect.size());
        if (out instanceof Outcome.Rejected r) {
            for (int i = 0; i < rest.size(); i++) {
                Tok t = rest.get(i);
                eq(t.text(), t.quoted() ? "true" : rest.get(++i).text(), t.quoted()
                        ? r.message().contains(t.text()) : r.details().get(t.text()));
            }
        } else if (task != null) {
            checkProperties(task, rest);
        }
        if (task == null || out instanceof Outcome.TaskFound
                || rest.contains(new Tok("unchanged", false))) {
            Map<String, String> after = state();
            Set<String> changed = new TreeSet<>(before.keySet());
            changed.addAll(after.keySet());
            changed.removeIf(k -> Objects.equals(before.get(k), after.get(k)));
            Check.state(changed.isEmpty() || out instanceof Outcome.Ticked,
                    "expected nothing to change, but these keys did: " + changed);
        }
    }

    /**
     * Checks a task or queue against {@code none} or properties: {@code #ID}, a status,
     * {@code ready}/{@code unready}, or any record component and its value ({@code notBefore}
     * stands for {@code notBeforeMs}).
     */
    private void checkProperties(Record r, List<Tok> props) {
        boolean none = props.size() == 1 && props.get(0).text().equals("none");
        Check.state(none == (r == null), "expected " + join(props) + " but got " + r);
        for (int i = 0; !none && i < props.size(); i++) {
            String p = props.get(i).text();
            Task t = r instanceof Task task ? task : null;
            if (t != null && p.startsWith("#")) {
                eq("id", p.substring(1), t.id());
            } else if (t != null && TaskStatus.fromWire(p) != null) {
                eq("status", p, t.status().wireName());
            } else if (t != null && (p.equals("ready") || p.equals("unready"))) {
                eq("ready", p, t.isReadyAt(machine.nowMs()) ? "ready" : "unready");
            } else if (!p.equals("unchanged")) {
                RecordComponent c = Stream.of(r.getClass().getRecordComponents())
                        .filter(rc -> rc.getName().equals(p) || rc.getName().equals(p + "Ms"))
                        .findFirst().orElseThrow(() -> new AssertionError("no property " + p));
                eq(p, props.get(++i).text(), invoke(c.getAccessor(), r));
            }
        }
    }

    private static Object invoke(Method accessor, Object target) {
        try {
            return accessor.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes of every task, history event, queue and index: what a refusal must not touch. */
    private Map<String, String> state() {
        Map<String, String> s = new TreeMap<>();
        store.scan("", Keys.END).forEachRemaining(e -> {
            if (BOOKKEEPING.stream().noneMatch(e.getKey()::startsWith)) {
                s.put(e.getKey(), HexFormat.of().formatHex(e.getValue()));
            }
        });
        return s;
    }

    private static void eq(String what, String expected, Object actual) {
        if (!expected.equals(fmt(actual))) {
            throw new AssertionError(what + ": expected " + expected + " but got " + fmt(actual));
        }
    }

    private static String fmt(Object v) {
        if (v instanceof List<?> l) {
            return l.stream().map(ScenarioTest::fmt).collect(Collectors.joining(",", "[", "]"));
        }
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(",", "{", "}"));
        }
        return String.valueOf(v);
    }

    private static String join(List<Tok> toks) {
        return toks.stream().map(Tok::text).collect(Collectors.joining(" "));
    }

    private static long id(Tok t) {
        return Long.parseLong(t.text().substring(1));
    }

    private static Long number(String s) {
        return s == null ? null : Long.valueOf(s);
    }

    /** {@code [a,b]}, {@code 1..100} or {@code k1..k33=v}: a range repeats its prefix. */
    private static List<String> list(String s) {
        List<String> out = new ArrayList<>();
        String body = s == null ? "" : s.replaceAll("^\\[|]$", "");
        for (String item : body.isEmpty() ? new String[0] : body.split(",")) {
            Matcher m = RANGE.matcher(item);
            for (long i = m.matches() ? Long.parseLong(m.group(2)) : 0;
                 m.matches() && i <= Long.parseLong(m.group(3)); i++) {
                out.add(m.group(1) + i + Objects.requireNonNullElse(m.group(4), ""));
            }
            if (!m.matches()) {
                out.add(item);
            }
        }
        return out;
    }

    private static List<Long> longs(String s) {
        return list(s).stream().map(Long::valueOf).toList();
    }

    private static TreeMap<String, String> labels(String s) {
        TreeMap<String, String> out = new TreeMap<>();
        list(s).forEach(kv -> out.put(kv.substring(0, kv.indexOf('=')),
                kv.substring(kv.indexOf('=') + 1)));
        return out;
    }
}
