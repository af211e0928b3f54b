package dev.baton.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing command lines: global options anywhere, values, repeats, and every mistake. */
class ArgsTest {
    private static Args parse(String... argv) {
        return Args.parse(argv);
    }

    private static String mistake(String... argv) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> Args.parse(argv));
        assertTrue(e instanceof UsageException || e instanceof Args.CommandUsageException,
                e::toString);
        return e.getMessage();
    }

    @Test
    void globalOptionsComeBeforeOrAfterTheCommand() {
        Args before = parse("--server", "h:1", "-q", "work", "--json", "list", "--ready");
        Args after = parse("list", "--ready", "--server=h:1", "--queue", "work", "--json");
        for (Args a : List.of(before, after)) {
            assertEquals("list", a.spec().name());
            assertEquals("h:1", a.value("--server"));
            assertEquals("work", a.value("--queue"));
            assertTrue(a.flag("--json"));
            assertTrue(a.flag("--ready"));
        }
    }

    @Test
    void aValueOptionTakesTheNextWordEvenWhenItLooksLikeAnOption() {
        Args a = parse("create", "Fix it", "--priority", "-1", "--label", "team=infra",
                "--label", "os=linux", "--blocked-by", "1,2", "--blocked-by", "#3");
        assertEquals(List.of("Fix it"), a.positionals());
        assertEquals(-1, a.intValue("--priority"));
        assertEquals(Map.of("team", "infra", "os", "linux"), a.labels("--label"));
        assertEquals(List.of(1L, 2L, 3L), a.ids("--blocked-by"));
    }

    @Test
    void afterTheDoubleDashEveryWordIsPositionalOrTheCommandToRun() {
        assertEquals(List.of("-x is a subject"), parse("create", "--", "-x is a subject")
                .positionals());
        Args run = parse("run", "--count", "2", "--", "sh", "-c", "echo --json");
        assertEquals(List.of("sh", "-c", "echo --json"), run.passThrough());
        assertFalse(run.flag("--json"));
        assertEquals(2, run.positiveInt("--count"));
    }

    @Test
    void clusterSubcommandsAreCommandsOfTheirOwn() {
        assertEquals("cluster status", parse("cluster", "status").spec().name());
        assertEquals("cluster add", parse("--json", "cluster", "add", "n4", "h:9", "h:7")
                .spec().name());
        assertEquals("cluster needs a subcommand: status, add, remove, leader, snapshot (or"
                + " init)", mistake("cluster"));
        assertTrue(mistake("cluster", "explode").startsWith("unknown subcommand"));
    }

    @Test
    void helpIsAskedForInEveryUsualWay() {
        assertNull(parse().helpTopic());
        assertNull(parse("help").helpTopic());
        assertNull(parse("--help").helpTopic());
        assertEquals("claim", parse("help", "claim").helpTopic());
        assertEquals("claim", parse("claim", "-h").helpTopic());
        assertEquals("cluster add", parse("help", "cluster", "add").helpTopic());
        assertTrue(parse("create", "--help").wantsHelp()); // No SUBJECT needed for help.
    }

    @Test
    void mistakesAreUsageErrorsThatSayWhatIsWrong() {
        assertEquals("unknown command \"lst\"", mistake("lst"));
        assertEquals("unknown option \"--priorty\" for create", mistake("create", "x",
                "--priorty", "1"));
        assertEquals("--priority needs a value", mistake("create", "x", "--priority"));
        assertEquals("--priority is given twice", mistake("create", "x", "--priority", "1",
                "--priority", "2"));
        assertEquals("--json takes no value", mistake("list", "--json=yes"));
        assertEquals("create needs an argument", mistake("create"));
        assertEquals("unexpected argument \"module\" (quote a text with spaces)",
                mistake("create", "Review", "module"));
        assertEquals("list takes no arguments, got \"5\"", mistake("list", "5"));
        assertTrue(mistake("--ready", "list").contains("a command's options come after"));
        assertTrue(mistake("--json", "dev").contains("launcher"));
    }

    @Test
    void typedValuesAreCheckedWhenRead() {
        Args a = parse("claim", "--next", "--count", "0", "--wait", "soon", "--ttl", "2m");
        assertThrows(UsageException.class, () -> a.positiveInt("--count"));
        assertThrows(UsageException.class, () -> a.duration("--wait"));
        assertEquals(Duration.ofMinutes(2), a.duration("--ttl"));
        assertThrows(UsageException.class, () -> parse("show", "abc").id(0));
        assertThrows(UsageException.class, () -> parse("show", "0").id(0));
        assertEquals(41, parse("show", "#41").id(0));
        assertThrows(UsageException.class, () -> parse("create", "x", "--label", "novalue")
                .labels("--label"));
        assertThrows(UsageException.class, () -> parse("create", "x", "--blocked-by", "1,,2")
                .ids("--blocked-by"));
    }
}
